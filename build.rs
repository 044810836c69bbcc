//! Generates the gRPC client used by the protocol-level tests and benches
//! (tests/support/rpc.rs) from the protocol subset in proto/. The provider itself
//! speaks the protocol through the tf-provider crate and does not use this code.

const PROTOS: &[&str] = &["proto/tfplugin6.proto", "proto/grpc_controller.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    tonic_build::configure()
        .build_server(false)
        .build_client(true)
        .compile_protos(PROTOS, &["proto"])?;
    Ok(())
}
