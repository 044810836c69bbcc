//! A scriptable HTTPS stub on 127.0.0.1 for the client tests: each test scripts the
//! responses it needs (tokens, LRO variants, faults) and reads the requests back from
//! the stub's journal.

use super::*;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tokio_rustls::rustls;

/// A request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Req {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    pub fn h(&self, k: &str) -> Option<&str> {
        self.headers
            .get(&k.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
    pub fn is_token(&self) -> bool {
        self.path.ends_with("/oauth2/v2.0/token")
    }
}

/// A scripted response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(status: u16, v: Json) -> Resp {
        Resp {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: v.to_string(),
        }
    }
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            headers: vec![],
            body: String::new(),
        }
    }
    pub fn error(status: u16, code: &str, message: &str) -> Resp {
        Resp::json(status, json!({"error": {"code": code, "message": message}}))
    }
    pub fn with(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
}

pub type Handler = Arc<dyn Fn(&Req) -> Option<Resp> + Send + Sync>;

pub struct Mock {
    pub base: String,
    pub ca_path: PathBuf,
    journal: Arc<Mutex<Vec<Req>>>,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The default token endpoint: any form gets a token naming the grant it used.
pub fn token_response(req: &Req) -> Resp {
    let f = req.form();
    let how = if f.contains_key("client_secret") {
        "secret"
    } else if f.contains_key("client_assertion") {
        "assertion"
    } else {
        "other"
    };
    Resp::json(
        200,
        json!({"token_type":"Bearer","expires_in":3600,"access_token": format!("access-token-{how}-{}", f.get("scope").cloned().unwrap_or_default())}),
    )
}

impl Mock {
    /// Start a stub: `handler` answers first; token requests it leaves alone get
    /// [`token_response`]; anything else is 404.
    pub async fn start(handler: impl Fn(&Req) -> Option<Resp> + Send + Sync + 'static) -> Mock {
        aifactory_azure::http::install_crypto_provider();
        super::trace_capture();
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_key = rcgen::KeyPair::generate().expect("ca key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "azure client test CA");
        let ca = ca_params.self_signed(&ca_key).expect("ca");
        let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
        let leaf =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .expect("leaf params")
                .signed_by(&leaf_key, &ca, &ca_key)
                .expect("leaf");
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&ca_path, ca.pem()).expect("write ca");

        let cert_chain = vec![leaf.der().clone()];
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
        let mut cfg = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(cert_chain, key)
            .expect("server config");
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let journal: Arc<Mutex<Vec<Req>>> = Arc::default();
        let handler: Handler = Arc::new(handler);
        let j = journal.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let handler = handler.clone();
                let j = j.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let handler = handler.clone();
                        let j = j.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let r = Req {
                                method: parts.method.to_string(),
                                path: parts.uri.path().to_string(),
                                query: url::form_urlencoded::parse(
                                    parts.uri.query().unwrap_or("").as_bytes(),
                                )
                                .into_owned()
                                .collect(),
                                headers: parts
                                    .headers
                                    .iter()
                                    .map(|(k, v)| {
                                        (
                                            k.as_str().to_string(),
                                            v.to_str().unwrap_or("").to_string(),
                                        )
                                    })
                                    .collect(),
                                body: String::from_utf8_lossy(&body).into_owned(),
                            };
                            j.lock().expect("journal").push(r.clone());
                            let resp = match handler(&r) {
                                Some(resp) => resp,
                                None if r.is_token() => token_response(&r),
                                None => Resp::error(
                                    404,
                                    "NotFoundInStub",
                                    &format!("no route for {} {}", r.method, r.path),
                                ),
                            };
                            let mut b = hyper::Response::builder().status(resp.status);
                            b = b.header(
                                "x-ms-request-id",
                                format!("req-{}", j.lock().expect("journal").len()),
                            );
                            if let Some(c) = r.headers.get("x-ms-correlation-request-id") {
                                b = b.header("x-ms-correlation-request-id", c.as_str());
                            }
                            for (k, v) in &resp.headers {
                                b = b.header(k.as_str(), v.as_str());
                            }
                            Ok::<_, std::convert::Infallible>(
                                b.body(Full::new(Bytes::from(resp.body)))
                                    .unwrap_or_else(|_| {
                                        hyper::Response::new(Full::new(Bytes::new()))
                                    }),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        Mock {
            base: format!("https://127.0.0.1:{}", addr.port()),
            ca_path,
            journal,
            _dir: dir,
            task,
        }
    }

    pub fn journal(&self) -> Vec<Req> {
        self.journal.lock().expect("journal").clone()
    }

    /// Requests whose method matches and whose path contains `needle`.
    pub fn count(&self, method: &str, needle: &str) -> usize {
        self.journal()
            .iter()
            .filter(|r| r.method == method && r.path.contains(needle))
            .count()
    }

    pub fn token_calls(&self) -> usize {
        self.journal().iter().filter(|r| r.is_token()).count()
    }
}
