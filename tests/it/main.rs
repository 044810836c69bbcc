//! The provider's integration tests, as one test binary (`cargo test --test it`), so the
//! provider is linked once for all of them. One module per area; shared helpers in
//! [`testkit`]. Filter by module path, e.g. `cargo test --test it emulator::` or
//! `cargo test --test it acceptance::project::`.
//!
//! Golden files (today `docs/`) are regenerated with `AIFACTORY_UPDATE_GOLDEN=1`
//! (see [`testkit::golden`]). Everything contacts only loopback, except
//! `azure_client_live`, which is skipped unless real Azure credentials are set.

mod acceptance;
mod azure_client;
mod azure_client_live;
mod docs;
mod emulator;
mod layers;
mod rpc;
mod testkit;
