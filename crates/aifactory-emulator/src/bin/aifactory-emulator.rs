//! `aifactory-emulator`: the loopback Azure emulator as a process (Entra, managed identity,
//! ARM, DFS over HTTPS on 127.0.0.1 / ::1). See `docs/guides/emulator.md`.
//!
//! Prints the base URL as the only line on stdout once it is ready; everything else goes to
//! stderr. SIGINT/SIGTERM: persist state (`--state-file`), exit 0.
//!
//! Owns the command line and the process lifecycle; must not hold emulator behaviour (that
//! is the library) or listen beyond loopback.

use aifactory_emulator::{Emulator, EmulatorConfig, Seed, ThrottleConfig, TlsSource, VnetConflict};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: aifactory-emulator [options]
  --listen ADDR             loopback address (default 127.0.0.1:0; port 0 = ephemeral)
  --ca-out FILE             write the CA certificate (PEM) clients must trust
  --cert FILE --key FILE    serve this certificate chain and key instead of generating one
  --san NAME                extra DNS name for the generated certificate (repeatable)
  --seed FILE               seed document (JSON; see docs/guides/emulator.md)
  --tenant ID               register a tenant (later --subscription/--app belong to it)
  --subscription ID         register a subscription in the last tenant
  --app CLIENT_ID:SECRET    register an app with a client secret in the last tenant
  --managed-identity CLIENT_ID[:OBJECT_ID]   register a managed identity (MSI endpoint)
  --state-file FILE         load state at start, persist on change and on shutdown
  --journal FILE            append one JSON line per request
  --info-out FILE           write the info JSON (base URL, CA path, endpoints) when ready
  --latency-ms N            added latency per request (default 0)
  --jitter-ms N             extra uniform 0..N ms per request
  --token-lifetime-secs N   access token lifetime (default 3599)
  --lro-delay-ms N          how long LROs stay InProgress (default 0)
  --page-size N             list page size (default 100)
  --throttle off|arm        ARM token-bucket throttling (default arm)
  --vnet-conflict 409|429|allow   concurrent vNet writes (default 409)
  --dfs-rbac                require Storage Blob Data roles for DFS and Blob calls
  --policy NAME             enforce an Azure Policy deny assignment (repeatable):
                            subnet-nsg-required (ALZ Deny-Subnet-Without-Nsg: 403
                            RequestDisallowedByPolicy for a subnet without an NSG)
  --read-only-scope ID      the caller may only read at and below this subscription,
                            resource group or resource ID (repeatable): writes there
                            answer 403 AuthorizationFailed
  --unregistered-provider NS  a resource provider namespace not registered (repeatable):
                            PUTs of its types answer 409 MissingSubscriptionRegistration
                            until POST .../providers/NS/register
  --type-not-in-region TYPE=REGION  a resource type not offered in a region (repeatable):
                            PUTs there answer 400 LocationNotAvailableForResourceType
  --role-assignment-limit N role assignments per subscription (default 4000, Azure's)
  --identity-header VALUE   X-IDENTITY-HEADER value for the MSI endpoint (default random)
  --fault-seed N            seed for probabilistic faults and jitter
  -h, --help";

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}\n{USAGE}")]
    Usage(String),
    #[error(transparent)]
    Emulator(#[from] aifactory_emulator::EmulatorError),
    #[error("{0}")]
    Io(String),
}

struct Cli {
    config: EmulatorConfig,
    info_out: Option<PathBuf>,
}

fn parse(args: Vec<String>) -> Result<Option<Cli>, CliError> {
    let mut c = EmulatorConfig::default();
    let mut info_out = None;
    let (mut cert, mut key): (Option<PathBuf>, Option<PathBuf>) = (None, None);
    let mut it = args.into_iter();
    fn num<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, CliError> {
        v.parse()
            .map_err(|_| CliError::Usage(format!("{flag}: '{v}' is not a number")))
    }
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let val = |it: &mut std::vec::IntoIter<String>| -> Result<String, CliError> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it
                    .next()
                    .ok_or_else(|| CliError::Usage(format!("{flag} needs a value"))),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--listen" => {
                let v = val(&mut it)?;
                c.listen = v.parse().map_err(|_| {
                    CliError::Usage(format!(
                        "--listen: '{v}' is not an address like 127.0.0.1:0 or [::1]:8443"
                    ))
                })?;
            }
            "--ca-out" => c.ca_out = Some(val(&mut it)?.into()),
            "--cert" => cert = Some(val(&mut it)?.into()),
            "--key" => key = Some(val(&mut it)?.into()),
            "--san" => c.extra_sans.push(val(&mut it)?),
            "--seed" => {
                let p: PathBuf = val(&mut it)?.into();
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| CliError::Io(format!("--seed {}: {e}", p.display())))?;
                c.seed.merge(Seed::from_json(&text)?);
            }
            "--tenant" => c = c.with_tenant(&val(&mut it)?),
            "--subscription" => c = c.with_subscription(&val(&mut it)?),
            "--app" => {
                let v = val(&mut it)?;
                let (id, secret) = v
                    .split_once(':')
                    .ok_or_else(|| CliError::Usage("--app needs CLIENT_ID:SECRET".into()))?;
                c = c.with_app(id, secret);
            }
            "--managed-identity" => {
                let v = val(&mut it)?;
                let (id, oid) = match v.split_once(':') {
                    Some((a, b)) => (a.to_string(), b.to_string()),
                    None => (
                        v.clone(),
                        aifactory_emulator::util::guid_from(&format!("mi:{v}")),
                    ),
                };
                c = c.with_managed_identity(&id, &oid);
            }
            "--state-file" => c.state_file = Some(val(&mut it)?.into()),
            "--journal" => c.journal_file = Some(val(&mut it)?.into()),
            "--info-out" => info_out = Some(PathBuf::from(val(&mut it)?)),
            "--latency-ms" => c.settings.latency_ms = num(&flag, val(&mut it)?)?,
            "--jitter-ms" => c.settings.jitter_ms = num(&flag, val(&mut it)?)?,
            "--token-lifetime-secs" => c.settings.token_lifetime_secs = num(&flag, val(&mut it)?)?,
            "--lro-delay-ms" => c.settings.lro_delay_ms = num(&flag, val(&mut it)?)?,
            "--page-size" => c.settings.page_size = num::<usize>(&flag, val(&mut it)?)?.max(1),
            "--fault-seed" => c.settings.fault_seed = Some(num(&flag, val(&mut it)?)?),
            "--identity-header" => c.identity_header = Some(val(&mut it)?),
            "--dfs-rbac" => c.settings.dfs_rbac = true,
            "--policy" => {
                let v = val(&mut it)?;
                let p = aifactory_emulator::policy::Policy::parse(&v).ok_or_else(|| {
                    CliError::Usage(format!(
                        "--policy: '{v}' (one of: {})",
                        aifactory_emulator::policy::Policy::ALL
                            .map(|p| p.name())
                            .join(", ")
                    ))
                })?;
                if !c.settings.policies.contains(&p) {
                    c.settings.policies.push(p);
                }
            }
            "--read-only-scope" => {
                let v = val(&mut it)?;
                if !v.starts_with("/subscriptions/") {
                    return Err(CliError::Usage(format!(
                        "--read-only-scope: '{v}' (an ID starting with /subscriptions/)"
                    )));
                }
                c.settings.read_only_scopes.push(v);
            }
            "--unregistered-provider" => {
                let v = val(&mut it)?;
                if v.contains('/') || v.trim().is_empty() {
                    return Err(CliError::Usage(format!(
                        "--unregistered-provider: '{v}' (a namespace such as Microsoft.ContainerRegistry)"
                    )));
                }
                c.settings.unregistered_providers.push(v);
            }
            "--type-not-in-region" => {
                let v = val(&mut it)?;
                let t = aifactory_emulator::TypeRegion::parse(&v).ok_or_else(|| {
                    CliError::Usage(format!(
                        "--type-not-in-region: '{v}' (TYPE=REGION, e.g. Microsoft.ContainerRegistry/registries=swedencentral)"
                    ))
                })?;
                c.settings.type_not_in_region.push(t);
            }
            "--role-assignment-limit" => {
                c.settings.role_assignment_limit = num(&flag, val(&mut it)?)?
            }
            "--throttle" => {
                c.settings.throttle = match val(&mut it)?.as_str() {
                    "off" => ThrottleConfig::off(),
                    "arm" => ThrottleConfig::arm(),
                    v => return Err(CliError::Usage(format!("--throttle: '{v}' (off or arm)"))),
                }
            }
            "--vnet-conflict" => {
                c.settings.vnet_conflict = match val(&mut it)?.as_str() {
                    "409" => VnetConflict::AnotherOperationInProgress,
                    "429" => VnetConflict::RetryableError,
                    "allow" => VnetConflict::Allow,
                    v => {
                        return Err(CliError::Usage(format!(
                            "--vnet-conflict: '{v}' (409, 429 or allow)"
                        )))
                    }
                }
            }
            other => return Err(CliError::Usage(format!("unknown argument '{other}'"))),
        }
    }
    match (cert, key) {
        (Some(cert), Some(key)) => c.tls = TlsSource::Files { cert, key },
        (None, None) => {}
        _ => return Err(CliError::Usage("--cert and --key go together".into())),
    }
    if !c.listen.ip().is_loopback() {
        return Err(CliError::Usage(format!(
            "--listen {}: only loopback addresses (127.0.0.1, ::1) are allowed",
            c.listen
        )));
    }
    Ok(Some(Cli {
        config: c,
        info_out,
    }))
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let signals = install_signals();
    let emu = Emulator::start(cli.config).await?;
    let info = emu.info();
    if let Some(p) = &cli.info_out {
        let text = serde_json::to_string_pretty(&info).map_err(|e| CliError::Io(e.to_string()))?;
        std::fs::write(p, text)
            .map_err(|e| CliError::Io(format!("--info-out {}: {e}", p.display())))?;
    }
    eprintln!(
        "aifactory-emulator: serving {} (trust {}; DFS {}; Blob {}; MSI {} with X-IDENTITY-HEADER {})",
        info.base_url,
        info.ca_pem_path.display(),
        info.dfs_endpoint_template,
        info.blob_endpoint_template,
        info.msi_endpoint,
        info.identity_header
    );
    println!("{}", info.base_url);
    wait_for_signal(signals).await;
    eprintln!("aifactory-emulator: shutting down");
    tokio::time::timeout(Duration::from_secs(10), emu.stop())
        .await
        .map_err(|_| CliError::Io("shutdown timed out".into()))??;
    Ok(())
}

/// Signal handlers, installed before the ready line so an early SIGTERM is not fatal.
#[cfg(unix)]
struct Signals {
    term: Option<tokio::signal::unix::Signal>,
    int: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
fn install_signals() -> Signals {
    use tokio::signal::unix::{signal, SignalKind};
    Signals {
        term: signal(SignalKind::terminate()).ok(),
        int: signal(SignalKind::interrupt()).ok(),
    }
}

#[cfg(unix)]
async fn wait_for_signal(mut s: Signals) {
    async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    }
    tokio::select! {
        _ = recv(&mut s.term) => {}
        _ = recv(&mut s.int) => {}
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
fn install_signals() -> Signals {
    Signals
}

#[cfg(not(unix))]
async fn wait_for_signal(_s: Signals) {
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args().skip(1).collect()) {
        Ok(Some(c)) => c,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("aifactory-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("aifactory-emulator: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aifactory-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aifactory_emulator::policy::Policy;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn policy_flag() {
        let cli = parse(args(&[
            "--policy",
            "subnet-nsg-required",
            "--policy",
            "subnet-nsg-required",
        ]))
        .expect("parses")
        .expect("runs");
        assert_eq!(
            cli.config.settings.policies,
            vec![Policy::SubnetNsgRequired]
        );
        let none = parse(args(&[])).expect("parses").expect("runs");
        assert!(none.config.settings.policies.is_empty());
        let ro = parse(args(&[
            "--read-only-scope",
            "/subscriptions/s/resourceGroups/hub",
        ]))
        .expect("parses")
        .expect("runs");
        assert_eq!(
            ro.config.settings.read_only_scopes,
            vec!["/subscriptions/s/resourceGroups/hub".to_string()]
        );
        assert!(matches!(
            parse(args(&["--read-only-scope", "hub"])),
            Err(CliError::Usage(_))
        ));
        let rp = parse(args(&[
            "--unregistered-provider",
            "Microsoft.ContainerRegistry",
            "--type-not-in-region",
            "Microsoft.Search/searchServices=swedencentral",
        ]))
        .expect("parses")
        .expect("runs");
        assert_eq!(
            rp.config.settings.unregistered_providers,
            vec!["Microsoft.ContainerRegistry".to_string()]
        );
        assert_eq!(
            rp.config.settings.type_not_in_region[0].location,
            "swedencentral"
        );
        for bad in [
            ["--type-not-in-region", "swedencentral"],
            ["--unregistered-provider", "Microsoft.X/y"],
        ] {
            assert!(matches!(parse(args(&bad)), Err(CliError::Usage(_))));
        }
        match parse(args(&["--policy", "deny-everything"])) {
            Err(CliError::Usage(m)) => assert!(m.contains("subnet-nsg-required"), "{m}"),
            other => panic!("{:?}", other.map(|c| c.is_some())),
        }
    }
}
