//! The release, as a user installs it: `scripts/release.sh linux_amd64` (the static musl
//! build, zipped, `SHA256SUMS` signed with a throwaway GPG key, the manifest), then the
//! output served as a Terraform provider network mirror over HTTPS on 127.0.0.1 and
//! `terraform init` + `validate` with every CLI of the suite (1.0.3 and the newest on
//! `PATH`). The mirror lists the zip's `zh:` hash (checked against SHA256SUMS) and the lock
//! file must hold the `h1:` hash of the binary in the zip (Terraform records `zh:` only from
//! a registry's signed checksums); a zip with one byte changed
//! (the mirror's hashes unchanged) must make `init` fail. The binary must stay static
//! (`scripts/release-smoke.sh`: no NEEDED entry, no interpreter) and complete the plugin
//! handshake.
//!
//! Owns the release round trip only; uses `scripts/` and the CLI lookup of the terraform
//! harness, and must not touch the filesystem mirror the other acceptance tests share.

use crate::testkit::terraform::{clis, Cli, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE};
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");
const NAME: &str = "terraform-provider-aifactory";

fn sha256_hex(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A GnuPG home with one throwaway RSA signing key (no passphrase).
fn throwaway_gpg_home(dir: &Path) -> PathBuf {
    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).expect("gnupg dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let (ok, out) = run(Command::new("gpg")
        .env("GNUPGHOME", &home)
        .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
        .args([
            "--quick-generate-key",
            "aifactory release test <release-test@example.invalid>",
            "rsa2048",
            "sign",
            "1d",
        ]));
    assert!(ok, "gpg key generation failed: {out}");
    home
}

/// A static HTTPS file server on 127.0.0.1 (paths to bodies), with the CA that signs it.
struct Mirror {
    base: String,
    ca_path: PathBuf,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Mirror {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Mirror {
    async fn start(dir: &Path) -> Mirror {
        aifactory_azure::http::install_crypto_provider();
        let ca_key = rcgen::KeyPair::generate().expect("ca key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "aifactory release mirror test CA",
        );
        let ca = ca_params.self_signed(&ca_key).expect("ca");
        let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .expect("leaf params")
            .signed_by(&leaf_key, &ca, &ca_key)
            .expect("leaf");
        let ca_path = dir.join("mirror-ca.pem");
        std::fs::write(&ca_path, ca.pem()).expect("write ca");
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
        let mut cfg = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone()], key)
            .expect("server config");
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (f, r) = (files.clone(), requests.clone());
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, f, r) = (acceptor.clone(), f.clone(), r.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let svc =
                        service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                            let path = req.uri().path().to_string();
                            r.lock().expect("requests").push(path.clone());
                            let body = f.lock().expect("files").get(&path).cloned();
                            async move {
                                let resp = match body {
                                    Some(b) => hyper::Response::builder()
                                        .status(200)
                                        .header(
                                            "content-type",
                                            if path.ends_with(".json") {
                                                "application/json"
                                            } else {
                                                "application/zip"
                                            },
                                        )
                                        .body(Full::new(Bytes::from(b))),
                                    None => hyper::Response::builder()
                                        .status(404)
                                        .body(Full::new(Bytes::from_static(b"not found"))),
                                };
                                Ok::<_, std::convert::Infallible>(resp.unwrap_or_else(|_| {
                                    hyper::Response::new(Full::new(Bytes::new()))
                                }))
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        Mirror {
            base: format!("https://127.0.0.1:{port}/"),
            ca_path,
            files,
            requests,
            task,
        }
    }

    fn put(&self, path: &str, body: Vec<u8>) {
        self.files
            .lock()
            .expect("files")
            .insert(path.to_string(), body);
    }
}

/// `terraform init` (then `validate`, which starts the provider) in a fresh directory
/// with only the network mirror configured.
fn init_with(cli: &Cli, work: &Path, mirror: &Mirror) -> (bool, String) {
    std::fs::create_dir_all(work).expect("workdir");
    std::fs::write(
        work.join("main.tf"),
        "terraform {\n  required_providers {\n    aifactory = { source = \"aifactory/aifactory\" }\n  }\n}\n\nprovider \"aifactory\" {}\n\nresource \"aifactory_subnet_allocation\" \"p\" {\n  key           = \"p001\"\n  address_space = [\"10.20.0.0/16\"]\n  subnets       = { genai = { prefix_length = 25 } }\n}\n",
    )
    .expect("main.tf");
    let rc = work.join("terraform.rc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  network_mirror {{\n    url = \"{}\"\n  }}\n}}\n",
            mirror.base
        ),
    )
    .expect("terraform.rc");
    let tf = |args: &[&str]| {
        let mut c = Command::new(&cli.path);
        c.args(args)
            .current_dir(work)
            .env("TF_CLI_CONFIG_FILE", &rc)
            .env("SSL_CERT_FILE", &mirror.ca_path)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("HOME", work)
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env_remove("TF_LOG");
        c
    };
    let (ok, out) = run(&mut tf(&["init", "-input=false", "-no-color"]));
    if !ok {
        return (false, out);
    }
    let (ok2, out2) = run(&mut tf(&["validate", "-no-color"]));
    (ok2, format!("{out}\n{out2}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_installs_from_a_network_mirror_with_every_cli() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let gnupg = throwaway_gpg_home(dir);
    let out = dir.join("dist");

    // 1. The release script, for the platform this machine runs.
    let started = std::time::Instant::now();
    let (ok, log) = run(Command::new("bash")
        .arg(Path::new(REPO).join("scripts/release.sh"))
        .arg("--out")
        .arg(&out)
        .arg("linux_amd64")
        // The lean profile scripts/test.sh builds before the tests (same target, same
        // packaging); RELEASE_PROFILE=release tests the shipped build.
        .env(
            "RELEASE_PROFILE",
            std::env::var("RELEASE_PROFILE").unwrap_or_else(|_| "dist-check".into()),
        )
        .env("GNUPGHOME", &gnupg));
    assert!(ok, "scripts/release.sh failed:\n{log}");
    eprintln!(
        "release.sh linux_amd64: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let prefix = format!("{NAME}_{VERSION}");
    let zip_name = format!("{prefix}_linux_amd64.zip");
    let zip = std::fs::read(out.join(&zip_name)).expect("zip");
    let sums = std::fs::read_to_string(out.join(format!("{prefix}_SHA256SUMS"))).expect("sums");
    let manifest =
        std::fs::read_to_string(out.join(format!("{prefix}_manifest.json"))).expect("manifest");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&manifest).expect("manifest json"),
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    assert_eq!(
        sums,
        format!(
            "{}  {zip_name}\n{}  {prefix}_manifest.json\n",
            sha256_hex(&zip),
            sha256_hex(manifest.as_bytes())
        ),
        "SHA256SUMS lists the zip and the manifest"
    );
    let (ok, verify) = run(Command::new("gpg")
        .env("GNUPGHOME", &gnupg)
        .arg("--batch")
        .arg("--verify")
        .arg(out.join(format!("{prefix}_SHA256SUMS.sig")))
        .arg(out.join(format!("{prefix}_SHA256SUMS"))));
    assert!(ok, "the signature verifies: {verify}");

    // The zip holds exactly the versioned binary, executable.
    let (ok, listing) = run(Command::new("python3").args([
        "-c",
        "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print('\\n'.join(f'{i.filename} {oct(i.external_attr >> 16)}' for i in z.infolist()))",
    ]).arg(out.join(&zip_name)));
    assert!(ok, "{listing}");
    assert_eq!(listing.trim(), format!("{NAME}_v{VERSION} 0o100755"));

    // 2. Static, and Terraform's handshake: scripts/release-smoke.sh fails on any NEEDED
    // entry or interpreter.
    let bin = out.join("bin/linux_amd64").join(NAME);
    let (ok, smoke) = run(Command::new("bash")
        .arg(Path::new(REPO).join("scripts/release-smoke.sh"))
        .arg("linux_amd64")
        .arg(&bin));
    assert!(ok, "release-smoke.sh: {smoke}");
    assert!(smoke.contains("1|6|"), "{smoke}");

    // 3. The network mirror the script wrote (index.json, <version>.json with the zip's
    // zh: hash, the zip), served over HTTPS; its JSON checked against the protocol.
    let mirror = Mirror::start(dir).await;
    let base = format!("/{PROVIDER_HOST}/{PROVIDER_NAMESPACE}/{PROVIDER_TYPE}");
    let served = out.join("mirror").join(base.trim_start_matches('/'));
    let zh = format!("zh:{}", sha256_hex(&zip));
    let read_json = |n: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(served.join(n)).expect("mirror file")).expect("json")
    };
    assert_eq!(
        read_json("index.json"),
        serde_json::json!({"versions": {VERSION: {}}})
    );
    assert_eq!(
        read_json(&format!("{VERSION}.json")),
        serde_json::json!({"archives": {"linux_amd64": {"url": zip_name, "hashes": [zh]}}})
    );
    for f in [
        "index.json".to_string(),
        format!("{VERSION}.json"),
        zip_name.clone(),
    ] {
        mirror.put(
            &format!("{base}/{f}"),
            std::fs::read(served.join(&f)).expect("mirror file"),
        );
    }
    assert_eq!(std::fs::read(served.join(&zip_name)).expect("zip"), zip);

    // Terraform's h1: hash of the unpacked package (Go dirhash "Hash1": SHA-256 over the
    // sorted "<sha256 hex>  <name>\n" lines of its files; here one file).
    let binary = std::fs::read(&bin).expect("binary");
    let summary = format!("{}  {NAME}_v{VERSION}\n", sha256_hex(&binary));
    let h1 = {
        use base64::Engine;
        format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD
                .encode(ring::digest::digest(&ring::digest::SHA256, summary.as_bytes()).as_ref())
        )
    };

    let clis = clis();
    for cli in &clis {
        let work = dir.join(format!("work-{}", cli.version));
        let (ok, out) = tokio::task::block_in_place(|| init_with(cli, &work, &mirror));
        assert!(ok, "{}: init from the mirror failed:\n{out}", cli.label());
        let lock = std::fs::read_to_string(work.join(".terraform.lock.hcl")).expect("lock file");
        // The lock file holds the h1: hash of the package unpacked from the zip. Terraform
        // records zh: (zip) hashes only from a registry's signed SHA256SUMS, never from a
        // mirror: the mirror's zh: is checked at download instead (the tampered case below).
        assert!(
            lock.contains(&format!("\"{h1}\"")),
            "{}: the lock file records the package hash {h1}:\n{lock}",
            cli.label()
        );
        assert!(
            lock.contains(&format!("version = \"{VERSION}\""))
                || lock.contains(&format!("version     = \"{VERSION}\"")),
            "{}: {lock}",
            cli.label()
        );
    }
    assert!(
        mirror
            .requests
            .lock()
            .expect("requests")
            .iter()
            .any(|p| p.ends_with(&zip_name)),
        "the zip came from the mirror"
    );

    // 4. One byte changed in the served zip, the mirror's hashes unchanged: refused.
    let mut tampered = zip;
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x01;
    mirror.put(&format!("{base}/{zip_name}"), tampered);
    for cli in &clis {
        let work = dir.join(format!("tampered-{}", cli.version));
        let (ok, out) = tokio::task::block_in_place(|| init_with(cli, &work, &mirror));
        assert!(!ok, "{}: init accepted a tampered zip:\n{out}", cli.label());
        let why = out
            .lines()
            .find(|l| l.to_lowercase().contains("checksum"))
            .unwrap_or_default();
        eprintln!("{}: tampered zip refused: {}", cli.label(), why.trim());
        let lower = out.to_lowercase();
        assert!(
            lower.contains("checksum") || lower.contains("hash"),
            "{}: the failure names the checksum:\n{out}",
            cli.label()
        );
        assert!(!work.join(".terraform.lock.hcl").exists());
    }
}

/// CHANGELOG.md's top version is the version in Cargo.toml.
#[test]
fn changelog_top_version_is_the_cargo_version() {
    let log = std::fs::read_to_string(Path::new(REPO).join("CHANGELOG.md")).expect("CHANGELOG.md");
    let top = log
        .lines()
        .find(|l| l.starts_with("## "))
        .expect("a ## version heading");
    let v = top
        .trim_start_matches("## ")
        .split_whitespace()
        .next()
        .unwrap_or_default();
    assert_eq!(v, VERSION, "CHANGELOG.md's top heading: {top}");
    for section in ["FEATURES:", "NOTES:"] {
        assert!(log.contains(section), "CHANGELOG.md has {section}");
    }
}

/// The release workflow is valid against the GitHub workflow schema
/// (check-jsonschema's vendored schema, installed by scripts/ensure-release-tools.sh).
#[test]
fn release_workflow_matches_the_github_workflow_schema() {
    let (ok, path) = run(Command::new("bash")
        .arg(Path::new(REPO).join("scripts/ensure-release-tools.sh"))
        .arg("--path"));
    assert!(ok, "ensure-release-tools.sh: {path}");
    let bin =
        PathBuf::from(path.lines().last().unwrap_or_default().trim()).join("check-jsonschema");
    let (ok, out) = run(Command::new(bin)
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(Path::new(REPO).join(".github/workflows/release.yml")));
    assert!(ok, "release.yml does not match the schema:\n{out}");
    let manifest =
        std::fs::read_to_string(Path::new(REPO).join("terraform-registry-manifest.json"))
            .expect("terraform-registry-manifest.json");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&manifest).expect("json"),
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
}
