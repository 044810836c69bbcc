//! Figures, not a timed test: 2,000 ARM GETs through the Azure client against the loopback
//! emulator with 50 ms latency and ARM's read bucket enabled (250 burst, 25 per second).
//!
//! The bucket allows 250 at once and then 25 per second, so the bound is
//! (2000 - 250) / 25 = 70 s. The client paces itself with its own bucket and should land
//! within 10 % of that bound without receiving a single 429.
//!
//! `ARM_THROTTLE_BENCH_SCALE=10` multiplies both refill rates (client and emulator) by 10
//! (bound 7 s); the burst stays 250. Default: the real numbers.
//!
//! Run: `cargo bench --bench arm_throttle` (or with the scale variable for a quick look).

use std::time::{Duration, Instant};

use aifactory_azure::{
    AzureClient, BucketConfig, CloudOverrides, Ctx, RetryPolicy, Sensitive, Settings,
    ThrottleSettings,
};
use aifactory_emulator::{Bucket, Emulator, EmulatorConfig, ThrottleConfig};

const TENANT: &str = "33333333-3333-3333-3333-3333333333dd";
const SUB: &str = "44444444-4444-4444-4444-4444444444ee";
const CLIENT: &str = "55555555-5555-5555-5555-5555555555ff";
const SECRET: &str = "bench-secret";
const REQUESTS: usize = 2000;
const BURST: f64 = 250.0;
const RATE: f64 = 25.0;
const LATENCY: Duration = Duration::from_millis(50);

fn main() {
    let scale: f64 = std::env::var("ARM_THROTTLE_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .unwrap_or(1.0);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("arm_throttle: cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(run(scale)) {
        eprintln!("arm_throttle: {e}");
        std::process::exit(1);
    }
}

async fn run(scale: f64) -> Result<(), String> {
    let rate = RATE * scale;
    let emu = Emulator::start(
        EmulatorConfig::default()
            .with_tenant(TENANT)
            .with_subscription(SUB)
            .with_app(CLIENT, SECRET)
            .with_latency(LATENCY, Duration::ZERO)
            .with_throttle(ThrottleConfig {
                enabled: true,
                reads: Bucket {
                    capacity: BURST,
                    refill_per_sec: rate,
                },
                ..ThrottleConfig::arm()
            }),
    )
    .await
    .map_err(|e| format!("emulator: {e}"))?;
    let info = emu.info();
    let settings = Settings {
        terraform_version: "bench".into(),
        subscription_id: Some(SUB.into()),
        tenant_id: Some(TENANT.into()),
        client_id: Some(CLIENT.into()),
        client_secret: Some(Sensitive::new(SECRET)),
        use_cli: false,
        endpoints: CloudOverrides {
            resource_manager_endpoint: Some(info.resource_manager_endpoint.clone()),
            authority_host: Some(info.authority_host.clone()),
            storage_dfs_endpoint_template: Some(info.dfs_endpoint_template.clone()),
            ..Default::default()
        },
        ca_certificate_file: Some(info.ca_pem_path.clone()),
        throttle: ThrottleSettings {
            enabled: true,
            reads: BucketConfig {
                burst: BURST,
                per_second: rate,
            },
            ..Default::default()
        },
        max_concurrency: 64,
        retry: RetryPolicy::default(),
        ..Default::default()
    };
    let client = AzureClient::new(&settings).map_err(|e| e.detail())?;
    let ctx = Ctx::background();
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg-bench");
    client
        .arm()
        .put(
            &ctx,
            &rg,
            "2021-04-01",
            &serde_json::json!({"location": "westeurope"}),
        )
        .await
        .map_err(|e| e.detail())?;
    emu.clear_journal();

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let c = client.clone();
        let ctx = ctx.clone();
        let rg = rg.clone();
        tasks.push(tokio::spawn(async move {
            c.arm().get(&ctx, &rg, "2021-04-01").await
        }));
    }
    let mut failures = 0usize;
    for t in tasks {
        match t.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                failures += 1;
                if failures == 1 {
                    eprintln!("first failure: {}", e.summary());
                }
            }
            Err(e) => return Err(format!("task: {e}")),
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let journal = emu.journal();
    let gets: Vec<_> = journal
        .iter()
        .filter(|j| j.method == "GET" && j.path.contains("rg-bench"))
        .collect();
    let throttled = gets.iter().filter(|j| j.status == 429).count();
    let bound = (REQUESTS as f64 - BURST) / rate;
    println!("arm_throttle: {REQUESTS} GETs, emulator latency {} ms, ARM read bucket {BURST} burst / {rate} per s (scale {scale})", LATENCY.as_millis());
    println!("  wall time            {wall:.2} s");
    println!("  bound (bucket)       {bound:.2} s  = ({REQUESTS} - {BURST}) / {rate}");
    println!("  ratio wall / bound   {:.3}", wall / bound);
    println!("  429s received        {throttled}");
    println!(
        "  GETs at the emulator {} (failures {failures})",
        gets.len()
    );
    println!(
        "  goal                 ratio <= 1.10 and zero 429s: {}",
        if wall / bound <= 1.10 && throttled == 0 && failures == 0 {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}
