//! Acceptance tests: real Terraform CLIs (1.0.3 and the newest on `PATH`) drive the freshly
//! built provider through [`crate::testkit::terraform`]; the Azure-backed ones run against
//! the in-process emulator ([`crate::testkit::emulator`]).

mod address_map;
mod azure;
mod basic;
mod common;
mod factory;
mod ids;
mod project;
mod release;
mod subnets;
mod subnets_nsg;
