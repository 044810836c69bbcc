//! Request builders for the emulator's wire tests: a minimal HTTPS client (hyper +
//! tokio-rustls, one connection per request) that trusts the emulator's CA, with helpers
//! for form posts (Entra), bearer-authenticated ARM calls and the admin API, and `R`, the
//! response with its JSON body, headers and ARM/Entra error code.

use aifactory_emulator::RunningEmulator;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::sync::Arc;

#[derive(Clone)]
pub struct Client {
    pub addr: std::net::SocketAddr,
    pub tls: Arc<rustls::ClientConfig>,
}

#[derive(Debug)]
pub struct R {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl R {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn h(&self, n: &str) -> Option<String> {
        self.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// ARM/storage `error.code` or Entra `error`.
    pub fn code(&self) -> String {
        let j = self.json();
        j.pointer("/error/code")
            .or_else(|| j.get("error"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
}

impl Client {
    pub fn new(emu: &RunningEmulator) -> Client {
        Client {
            addr: emu.addr(),
            tls: aifactory_emulator::tls::client_config(emu.ca_pem()).unwrap(),
        }
    }

    pub async fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<R, String> {
        let tcp = tokio::net::TcpStream::connect(self.addr)
            .await
            .map_err(|e| e.to_string())?;
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut b = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", format!("localhost:{}", self.addr.port()));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .unwrap();
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(R {
            status,
            headers,
            body,
        })
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> R {
        self.try_send(method, path, headers, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn form(&self, path: &str, form: &[(&str, &str)]) -> R {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    aifactory_emulator::util::pct_encode(k),
                    aifactory_emulator::util::pct_encode(v)
                )
            })
            .collect();
        self.send(
            "POST",
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(body.join("&").into_bytes()),
        )
        .await
    }

    pub async fn arm(&self, tok: &str, method: &str, path: &str, body: Option<Value>) -> R {
        let auth = format!("Bearer {tok}");
        let mut h = vec![("authorization", auth.as_str())];
        if body.is_some() {
            h.push(("content-type", "application/json"));
        }
        self.send(method, path, &h, body.map(|b| b.to_string().into_bytes()))
            .await
    }

    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> R {
        self.send(
            method,
            &format!("/_emulator/{path}"),
            &[("content-type", "application/json")],
            body.map(|b| b.to_string().into_bytes()),
        )
        .await
    }
}
