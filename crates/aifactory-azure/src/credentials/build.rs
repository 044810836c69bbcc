//! Building the credential chain from the settings, one step per method in azurerm's
//! order (see the parent module). No network call; files are read. Knows no Terraform:
//! everything comes from [`Settings`]. Imports only leaves (`entry`, `method`, the
//! credential sources) and the crate's config/cloud/http modules, never its parent.

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, RetryOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};
use base64::Engine;

use super::assertions::{FileAssertion, RequestAssertion, StaticAssertion};
use super::certificate::{CertificateAssertion, ClientCertificate};
use super::cli::PathExecutor;
use super::entry::{Entry, EntryState};
use super::method;
use super::msi::{LocalMsiCredential, MsiProtocol};
use super::token_endpoint::{Fresh, TokenEndpointPolicy};
use crate::cloud::{https_url, Cloud};
use crate::config::{Sensitive, Settings};
use crate::http::{local_endpoint, HttpClients};

/// Builds a credential from (tenant, client id).
type MakeCred = Box<dyn FnOnce(String, String) -> azure_core::Result<Arc<dyn TokenCredential>>>;

/// The chain's entries in order, and the secret values that must never appear in an
/// error message.
pub(super) fn entries(
    settings: &Settings,
    cloud: &Cloud,
    clients: &HttpClients,
) -> (Vec<Entry>, Vec<Sensitive>) {
    let b = ChainBuilder::new(settings, cloud, clients);
    let mut scrub = configured_secrets(settings);
    let certificate = b.client_certificate();
    let (secret, file_secret) = b.client_secret();
    scrub.extend(file_secret);
    let entries = vec![
        certificate,
        secret,
        b.oidc_token(),
        b.oidc_token_file(),
        b.azure_devops(),
        b.github_actions(),
        b.hcp_terraform(),
        b.managed_identity(),
        b.azure_cli(),
    ];
    (entries, scrub)
}

/// Every secret given in the settings.
fn configured_secrets(s: &Settings) -> Vec<Sensitive> {
    [
        &s.client_secret,
        &s.client_certificate,
        &s.client_certificate_password,
        &s.oidc_token,
        &s.oidc_request_token,
        &s.ado_system_access_token,
        &s.tfc_workload_identity_token,
        &s.identity_header,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect()
}

fn missing(what: &[(&str, &str)]) -> String {
    let names: Vec<String> = what
        .iter()
        .map(|(attr, env)| format!("{attr} ({env})"))
        .collect();
    format!("{} not set", join_or(&names))
}

fn join_or(v: &[String]) -> String {
    match v.len() {
        0 => String::new(),
        1 => format!("{} is", v[0]),
        _ => format!("{} are", v.join(", ")),
    }
}

fn read_trimmed(path: &std::path::Path, what: &str) -> Result<String, String> {
    let s = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {what} file {}: {e}", path.display()))?;
    let s = s.trim().to_string();
    if s.is_empty() {
        return Err(format!("{what} file {} is empty", path.display()));
    }
    Ok(s)
}

/// `azure_identity` client options: our HTTPS client as transport, our authority host,
/// the token endpoint policy (traffic log, typed failures), and no retries of its own:
/// the chain retries the token endpoint with the ARM budget.
fn identity_options(cloud: &Cloud, clients: &HttpClients) -> ClientOptions {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = cloud
        .authority_host
        .as_str()
        .trim_end_matches('/')
        .to_string();
    ClientOptions {
        per_try_policies: vec![Arc::new(TokenEndpointPolicy)],
        transport: Some(Transport::new(Arc::new(clients.strict.clone()))),
        retry: RetryOptions::none(),
        cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
        ..Default::default()
    }
}

/// One assertion source shared by the credentials [`Fresh`] builds.
#[derive(Debug)]
struct SharedAssertion(Arc<dyn ClientAssertion>);

#[async_trait::async_trait]
impl ClientAssertion for SharedAssertion {
    async fn secret(
        &self,
        options: Option<azure_core::http::ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        self.0.secret(options).await
    }
}

/// A client assertion credential, made once tenant and client ID are known (built anew
/// for every token request, see [`Fresh`]).
fn assertion_cred<C: ClientAssertion + 'static>(assertion: C, opts: ClientOptions) -> MakeCred {
    let assertion: Arc<dyn ClientAssertion> = Arc::new(assertion);
    Box::new(move |tenant, id| {
        Fresh::credential(Box::new(move || {
            let c = ClientAssertionCredential::new(
                tenant.clone(),
                id.clone(),
                SharedAssertion(assertion.clone()),
                Some(ClientAssertionCredentialOptions {
                    client_options: opts.clone(),
                }),
            )?;
            Ok(c as Arc<dyn TokenCredential>)
        }))
    })
}

/// What every method's step needs: the settings, the cloud, the HTTP clients and the
/// service principal's client ID (given, or read from its file).
struct ChainBuilder<'a> {
    s: &'a Settings,
    cloud: &'a Cloud,
    clients: &'a HttpClients,
    client_id: Result<Option<String>, String>,
}

impl<'a> ChainBuilder<'a> {
    fn new(s: &'a Settings, cloud: &'a Cloud, clients: &'a HttpClients) -> Self {
        let client_id = match (&s.client_id, &s.client_id_file_path) {
            (Some(id), _) => Ok(Some(id.clone())),
            (None, Some(p)) => read_trimmed(p, "client ID").map(Some),
            (None, None) => Ok(None),
        };
        ChainBuilder {
            s,
            cloud,
            clients,
            client_id,
        }
    }

    fn options(&self) -> ClientOptions {
        identity_options(self.cloud, self.clients)
    }

    /// The service principal's (tenant, client ID), or why the service principal methods
    /// are skipped (missing) or broken (unreadable client ID file).
    fn service_principal(&self) -> Result<(String, String), EntryState> {
        let id = match &self.client_id {
            Ok(id) => id.clone(),
            Err(e) => return Err(EntryState::Broken(e.clone())),
        };
        let mut lack = Vec::new();
        if id.is_none() {
            lack.push(("client_id", "ARM_CLIENT_ID"));
        }
        if self.s.tenant_id.is_none() {
            lack.push(("tenant_id", "ARM_TENANT_ID"));
        }
        match (id, &self.s.tenant_id) {
            (Some(id), Some(t)) => Ok((t.clone(), id)),
            _ => Err(EntryState::Skipped(missing(&lack))),
        }
    }

    /// Why an OIDC method is skipped: `use_oidc` off, or these inputs missing.
    fn oidc_gate(&self, lack: Vec<(&str, &str)>) -> Option<EntryState> {
        if !self.s.use_oidc {
            return Some(EntryState::Skipped(
                "use_oidc (ARM_USE_OIDC) is not true".into(),
            ));
        }
        (!lack.is_empty()).then(|| EntryState::Skipped(missing(&lack)))
    }

    /// An OIDC method: its gate, then the service principal, then its assertion source.
    fn assertion_entry(
        &self,
        method: &'static str,
        gate: Option<EntryState>,
        make: &dyn Fn() -> Result<MakeCred, String>,
    ) -> Entry {
        if let Some(st) = gate {
            return Entry { method, state: st };
        }
        let (tenant, id) = match self.service_principal() {
            Ok(v) => v,
            Err(st) => return Entry { method, state: st },
        };
        let state = match make() {
            Ok(f) => match f(tenant, id) {
                Ok(c) => EntryState::Ready(c),
                Err(e) => EntryState::Broken(e.to_string()),
            },
            Err(e) => EntryState::Broken(e),
        };
        Entry { method, state }
    }

    /// Method 1: Client certificate (a PKCS#12 or PEM file, or its base64): our own signed
    /// assertion ([`CertificateAssertion`]) through `ClientAssertionCredential`.
    fn client_certificate(&self) -> Entry {
        let s = self.s;
        let m = method::CERTIFICATE;
        if s.client_certificate_path.is_none() && s.client_certificate.is_none() {
            return Entry {
                method: m,
                state: EntryState::Skipped(
                    "neither client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) nor client_certificate (ARM_CLIENT_CERTIFICATE) is set".into(),
                ),
            };
        }
        let (tenant, id) = match self.service_principal() {
            Err(st) => {
                return Entry {
                    method: m,
                    state: st,
                }
            }
            Ok(v) => v,
        };
        let bytes: Result<Vec<u8>, String> =
            match (&s.client_certificate_path, &s.client_certificate) {
                (Some(p), _) => std::fs::read(p)
                    .map_err(|e| format!("cannot read certificate {}: {e}", p.display())),
                (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                    .decode(b64.expose().trim())
                    .map_err(|e| format!("client_certificate is not base64: {e}")),
                (None, None) => Err("no certificate".into()),
            };
        let password = s
            .client_certificate_password
            .as_ref()
            .map(Sensitive::expose);
        let state = match bytes
            .and_then(|b| ClientCertificate::load(&b, password).map_err(|e| e.to_string()))
        {
            Err(e) => EntryState::Broken(e),
            Ok(cert) => {
                // The assertion's audience: the token endpoint azure_identity posts to.
                match self
                    .cloud
                    .authority_host
                    .join(&format!("/{tenant}/oauth2/v2.0/token"))
                {
                    Err(e) => EntryState::Broken(format!(
                        "tenant_id (ARM_TENANT_ID) does not make a token endpoint URL: {e}"
                    )),
                    Ok(endpoint) => {
                        let assertion = CertificateAssertion {
                            certificate: Arc::new(cert),
                            client_id: id.clone(),
                            audience: endpoint.to_string(),
                        };
                        match assertion_cred(assertion, self.options())(tenant, id) {
                            Ok(c) => EntryState::Ready(c),
                            Err(e) => EntryState::Broken(e.to_string()),
                        }
                    }
                }
            }
        };
        Entry { method: m, state }
    }

    /// Method 2: Client secret (given, or read from its file). Also returns the secret, so
    /// one read from a file joins the values scrubbed from messages.
    fn client_secret(&self) -> (Entry, Option<Sensitive>) {
        let s = self.s;
        let m = method::SECRET;
        let secret: Result<Option<Sensitive>, String> =
            match (&s.client_secret, &s.client_secret_file_path) {
                (Some(v), _) => Ok(Some(v.clone())),
                (None, Some(p)) => {
                    read_trimmed(p, "client secret").map(|v| Some(Sensitive::new(v)))
                }
                (None, None) => Ok(None),
            };
        let secret = match secret {
            Ok(None) => {
                return (
                    Entry {
                        method: m,
                        state: EntryState::Skipped(
                            "neither client_secret (ARM_CLIENT_SECRET) nor client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH) is set".into(),
                        ),
                    },
                    None,
                )
            }
            Err(e) => {
                return (
                    Entry {
                        method: m,
                        state: EntryState::Broken(e),
                    },
                    None,
                )
            }
            Ok(Some(secret)) => secret,
        };
        let state = match self.service_principal() {
            Err(st) => st,
            Ok((tenant, id)) => match Fresh::credential({
                let options = self.options();
                let secret = Secret::new(secret.expose().to_string());
                Box::new(move || {
                    let c = ClientSecretCredential::new(
                        &tenant,
                        id.clone(),
                        secret.clone(),
                        Some(ClientSecretCredentialOptions {
                            client_options: options.clone(),
                        }),
                    )?;
                    Ok(c as Arc<dyn TokenCredential>)
                })
            }) {
                Ok(c) => EntryState::Ready(c),
                Err(e) => EntryState::Broken(e.to_string()),
            },
        };
        (Entry { method: m, state }, Some(secret))
    }

    /// Method 3a: OIDC token given directly.
    fn oidc_token(&self) -> Entry {
        let s = self.s;
        self.assertion_entry(
            method::OIDC_TOKEN,
            self.oidc_gate(if s.oidc_token.is_none() {
                vec![("oidc_token", "ARM_OIDC_TOKEN")]
            } else {
                vec![]
            }),
            &|| {
                let t = s.oidc_token.clone().ok_or("no token")?;
                Ok(assertion_cred(StaticAssertion(t), self.options()))
            },
        )
    }

    /// Method 3b: OIDC token read from a file (on every use).
    fn oidc_token_file(&self) -> Entry {
        let s = self.s;
        self.assertion_entry(
            method::OIDC_TOKEN_FILE,
            self.oidc_gate(if s.oidc_token_file_path.is_none() {
                vec![("oidc_token_file_path", "ARM_OIDC_TOKEN_FILE_PATH")]
            } else {
                vec![]
            }),
            &|| {
                let p = s.oidc_token_file_path.clone().ok_or("no file")?;
                Ok(assertion_cred(FileAssertion(p), self.options()))
            },
        )
    }

    /// Method 4: Azure DevOps service connection.
    fn azure_devops(&self) -> Entry {
        let s = self.s;
        let mut lack = vec![];
        if s.ado_pipeline_service_connection_id.is_none() {
            lack.push((
                "ado_pipeline_service_connection_id",
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            ));
        }
        if s.ado_oidc_request_uri.is_none() {
            lack.push(("SYSTEM_OIDCREQUESTURI", "SYSTEM_OIDCREQUESTURI"));
        }
        if s.ado_system_access_token.is_none() {
            lack.push(("SYSTEM_ACCESSTOKEN", "SYSTEM_ACCESSTOKEN"));
        }
        self.assertion_entry(method::ADO, self.oidc_gate(lack), &|| {
            let uri = s.ado_oidc_request_uri.as_deref().ok_or("no uri")?;
            let uri = https_url("SYSTEM_OIDCREQUESTURI", uri).map_err(|e| e.detail())?;
            let conn = s
                .ado_pipeline_service_connection_id
                .as_deref()
                .ok_or("no id")?;
            let bearer = s.ado_system_access_token.clone().ok_or("no token")?;
            Ok(assertion_cred(
                RequestAssertion::azure_devops(self.clients.strict.clone(), uri, conn, bearer),
                self.options(),
            ))
        })
    }

    /// Method 5: GitHub Actions (or any GitHub-style request URL).
    fn github_actions(&self) -> Entry {
        let s = self.s;
        let mut lack = vec![];
        if s.oidc_request_url.is_none() {
            lack.push((
                "oidc_request_url",
                "ARM_OIDC_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_URL",
            ));
        }
        if s.oidc_request_token.is_none() {
            lack.push((
                "oidc_request_token",
                "ARM_OIDC_REQUEST_TOKEN or ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            ));
        }
        self.assertion_entry(method::GITHUB, self.oidc_gate(lack), &|| {
            let url = s.oidc_request_url.as_deref().ok_or("no url")?;
            let url = https_url("oidc_request_url", url).map_err(|e| e.detail())?;
            let bearer = s.oidc_request_token.clone().ok_or("no token")?;
            Ok(assertion_cred(
                RequestAssertion::github(self.clients.strict.clone(), url, bearer),
                self.options(),
            ))
        })
    }

    /// Method 6: HCP Terraform dynamic credentials.
    fn hcp_terraform(&self) -> Entry {
        let s = self.s;
        self.assertion_entry(
            method::TFC,
            self.oidc_gate(if s.tfc_workload_identity_token.is_none() {
                vec![("TFC_WORKLOAD_IDENTITY_TOKEN", "TFC_WORKLOAD_IDENTITY_TOKEN")]
            } else {
                vec![]
            }),
            &|| {
                let t = s.tfc_workload_identity_token.clone().ok_or("no token")?;
                Ok(assertion_cred(StaticAssertion(t), self.options()))
            },
        )
    }

    /// Method 7: Managed identity: an explicit IMDS-protocol endpoint, App Service's
    /// `IDENTITY_ENDPOINT`, or the VM's IMDS through `azure_identity`.
    fn managed_identity(&self) -> Entry {
        let s = self.s;
        let clients = self.clients;
        let m = method::MSI;
        let user_id = self.client_id.clone().ok().flatten();
        let state = if !s.use_msi {
            EntryState::Skipped("use_msi (ARM_USE_MSI) is not true".into())
        } else if let Some(ep) = &s.msi_endpoint {
            match local_endpoint("msi_endpoint", ep) {
                Ok(endpoint) => EntryState::Ready(Arc::new(LocalMsiCredential {
                    client: clients.local.clone(),
                    endpoint,
                    protocol: MsiProtocol::Imds,
                    client_id: user_id,
                })),
                Err(e) => EntryState::Broken(e.detail()),
            }
        } else if let Some(ep) = &s.identity_endpoint {
            match (&s.identity_header, local_endpoint("IDENTITY_ENDPOINT", ep)) {
                (None, _) => {
                    EntryState::Broken("IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not".into())
                }
                (_, Err(e)) => EntryState::Broken(e.detail()),
                (Some(h), Ok(endpoint)) => EntryState::Ready(Arc::new(LocalMsiCredential {
                    client: clients.local.clone(),
                    endpoint,
                    protocol: MsiProtocol::AppService { header: h.clone() },
                    client_id: user_id,
                })),
            }
        } else {
            // The VM's IMDS (169.254.169.254), through azure_identity.
            let mut client_options = self.options();
            client_options.transport = Some(Transport::new(Arc::new(clients.local.clone())));
            match Fresh::credential(Box::new(move || {
                let c = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id: user_id.clone().map(UserAssignedId::ClientId),
                    client_options: client_options.clone(),
                }))?;
                Ok(c as Arc<dyn TokenCredential>)
            })) {
                Ok(c) => EntryState::Ready(c),
                Err(e) => EntryState::Broken(e.to_string()),
            }
        };
        Entry { method: m, state }
    }

    /// Method 8: Azure CLI (with the `PATH` from the settings).
    fn azure_cli(&self) -> Entry {
        let s = self.s;
        let m = method::CLI;
        let state = if !s.use_cli {
            EntryState::Skipped("use_cli (ARM_USE_CLI) is false".into())
        } else {
            match AzureCliCredential::new(Some(AzureCliCredentialOptions {
                tenant_id: s.tenant_id.clone(),
                subscription: None,
                executor: Some(Arc::new(PathExecutor {
                    path: s.cli_path.clone(),
                })),
            })) {
                Ok(c) => EntryState::Ready(c),
                Err(e) => EntryState::Broken(e.to_string()),
            }
        };
        Entry { method: m, state }
    }
}
