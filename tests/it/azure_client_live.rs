//! The Azure client against real Azure: GET the configured subscription.
//!
//! Skipped (with a printed note) unless `ARM_CLIENT_ID`, `ARM_TENANT_ID`,
//! `ARM_SUBSCRIPTION_ID` and a secret (`ARM_CLIENT_SECRET` or `ARM_CLIENT_SECRET_FILE_PATH`)
//! are set. Reads the environment; never writes it.

use aifactory_azure::{AzureClient, Ctx, Settings};

fn configured() -> bool {
    let set = |n: &str| {
        std::env::var(n)
            .map(|v| !v.trim().is_empty())
            .unwrap_or(false)
    };
    set("ARM_CLIENT_ID")
        && set("ARM_TENANT_ID")
        && set("ARM_SUBSCRIPTION_ID")
        && (set("ARM_CLIENT_SECRET") || set("ARM_CLIENT_SECRET_FILE_PATH"))
}

#[tokio::test]
async fn live_get_subscription() {
    if !configured() {
        eprintln!(
            "note: live Azure test skipped: set ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID \
             and ARM_CLIENT_SECRET to run it against real Azure"
        );
        return;
    }
    let settings = Settings {
        use_cli: false,
        ..Settings::from_env_and(&aifactory_azure::NoConfig)
    }
    .with_terraform_version("live-test");
    let client = match AzureClient::new(&settings) {
        Ok(c) => c,
        Err(e) => panic!("{}\n{}", e.summary(), e.detail()),
    };
    let sub = client
        .subscription_id()
        .map(str::to_string)
        .unwrap_or_default();
    let ctx = Ctx::background().with_timeout(std::time::Duration::from_secs(120));
    match client
        .arm()
        .get(&ctx, &format!("/subscriptions/{sub}"), "2022-12-01")
        .await
    {
        Ok(body) => {
            assert_eq!(
                body["subscriptionId"].as_str().map(str::to_ascii_lowercase),
                Some(sub.to_ascii_lowercase())
            );
            println!(
                "live: subscription {} ({}) via {}",
                sub,
                body["displayName"].as_str().unwrap_or("?"),
                client.active_credential().unwrap_or("?")
            );
        }
        Err(e) => panic!("{}\n{}", e.summary(), e.detail()),
    }
}
