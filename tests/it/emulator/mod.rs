//! Wire tests of the loopback Azure emulator over real HTTPS on 127.0.0.1 (contacts only
//! loopback), one module per area. The shared identities, the emulator start-up and the ARM
//! helpers live here; the client is [`crate::testkit::http`], error assertions
//! [`crate::testkit::arm`].

mod admin;
mod arm;
mod authorization;
mod bastion;
mod blob;
mod bodies;
mod compute;
mod datalake;
mod dns;
mod entra;
mod foundry;
mod monitor;
mod network;
mod peering;
mod policy;
mod providers;
mod registry;
mod search;
mod security;
mod soft_delete;
mod status_codes;

use authorization::{ra_body, ra_path};
use datalake::{dfs_case, dfs_setup};

pub(crate) use crate::testkit::arm::*;
pub(crate) use crate::testkit::http::{Client, R};
use aifactory_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::json;
use std::time::Duration;

const T: &str = "11111111-1111-4111-8111-111111111111";
const S: &str = "22222222-2222-4222-8222-222222222222";
const APP: &str = "33333333-3333-4333-8333-333333333333";
const SECRET: &str = "s3cret-value";
const ARM_SCOPE: &str = "https://management.azure.com/.default";
const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
const API: &str = "api-version=2024-05-01";

impl Client {
    async fn token(&self, scope: &str) -> String {
        let r = self
            .form(
                &format!("/{T}/oauth2/v2.0/token"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", APP),
                    ("client_secret", SECRET),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()["access_token"].as_str().unwrap().to_string()
    }
}

fn config() -> EmulatorConfig {
    EmulatorConfig::default()
        .with_tenant(T)
        .with_subscription(S)
        .with_app(APP, SECRET)
}

async fn start(c: EmulatorConfig) -> (RunningEmulator, Client) {
    let emu = Emulator::start(c).await.expect("emulator starts");
    let client = Client::new(&emu);
    (emu, client)
}

fn rg(name: &str) -> String {
    format!("/subscriptions/{S}/resourceGroups/{name}")
}

async fn put_rg(c: &Client, tok: &str, name: &str) -> R {
    c.arm(
        tok,
        "PUT",
        &format!("{}?api-version=2021-04-01", rg(name)),
        Some(json!({"location": "westeurope"})),
    )
    .await
}

/// Polls an Azure-AsyncOperation URL until terminal; returns (status, number of polls).
async fn poll(c: &Client, tok: &str, url: &str) -> (String, usize) {
    let path = url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap();
    for i in 1..200 {
        let r = c.arm(tok, "GET", &path, None).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let s = r.json()["status"].as_str().unwrap().to_string();
        if s != "InProgress" {
            return (s, i);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("operation never finished");
}

fn path_of(url: &str) -> String {
    url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap()
}
