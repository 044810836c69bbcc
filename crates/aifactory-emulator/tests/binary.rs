//! The `aifactory-emulator` binary: ready line, `--info-out`, seeding flags, graceful
//! SIGTERM with state persisted, refusal of non-loopback addresses. Loopback only.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_aifactory-emulator");

#[test]
fn refuses_non_loopback_listen() {
    let out = Command::new(BIN)
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only loopback"));
    let out = Command::new(BIN).args(["--bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn serves_writes_info_and_persists_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("info.json");
    let state = dir.path().join("state.json");
    let ca = dir.path().join("ca.pem");
    let mut child = Command::new(BIN)
        .args([
            "--tenant",
            "11111111-1111-4111-8111-111111111111",
            "--subscription",
            "22222222-2222-4222-8222-222222222222",
            "--app",
            "33333333-3333-4333-8333-333333333333:pw",
        ])
        .arg("--info-out")
        .arg(&info)
        .arg("--state-file")
        .arg(&state)
        .arg("--ca-out")
        .arg(&ca)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&info).unwrap()).unwrap();
    assert_eq!(j["base_url"], url);
    assert_eq!(j["dfs_endpoint_template"], format!("{url}/dfs/{{account}}"));
    assert_eq!(
        j["subscriptions"][0],
        "22222222-2222-4222-8222-222222222222"
    );
    assert!(std::fs::read_to_string(&ca)
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    assert!(state.exists());
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let mut waited = 0;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
        assert!(waited < 200, "did not exit on SIGTERM");
    };
    assert_eq!(status.code(), Some(0));
    let persisted: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(
        persisted["directory"]["subscriptions"][0]["id"],
        "22222222-2222-4222-8222-222222222222"
    );
}
