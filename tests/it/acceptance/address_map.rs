//! Acceptance test of `aifactory_address_map`: real Terraform CLIs, the built provider and
//! the in-process emulator (loopback only). A vNet with a hand-made subnet and two
//! projects' subnets from `aifactory_subnet_allocation` is drawn twice: read from the vNet
//! (`virtual_network_id`) and from the allocations' results (pure). Both give the same
//! picture byte for byte and the expected figures; the SVG is rendered to PNG with
//! `rsvg-convert` (Debian's librsvg2-bin, installed by scripts/ensure-tools.sh) and the
//! pixels are checked: blocks in proportion, free space hatched, not blank.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use crate::testkit::emulator::{EmulatorFixture, SUBSCRIPTION};
use crate::testkit::terraform::*;
use serde_json::{json, Value};

const RG: &str = "rg-address-map";
const NETWORK_API: &str = "2024-05-01";

fn vnet_id() -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/vnt-map"
    )
}

fn common() -> String {
    format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_arm_resource" "rg" {{
  resource_id = "/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}"
  api_version = "2021-04-01"
  body        = jsonencode({{ location = "westeurope" }})
}}

resource "aifactory_arm_resource" "vnet" {{
  resource_id = "${{aifactory_arm_resource.rg.id}}/providers/Microsoft.Network/virtualNetworks/vnt-map"
  api_version = "{NETWORK_API}"
  body = jsonencode({{
    location   = "westeurope"
    properties = {{ addressSpace = {{ addressPrefixes = ["10.20.0.0/16"] }} }}
  }})
}}
"#
    )
}

/// `common` plus two projects' subnets and both maps.
fn with_maps() -> String {
    format!(
        r#"{common}
locals {{
  projects = {{
    prj001 = {{ slot = 1, subnets = {{ genai = {{ prefix_length = 25 }}, aks = {{ prefix_length = 26 }} }} }}
    prj002 = {{ slot = 2, subnets = {{ private_endpoints = {{ prefix_length = 25 }} }} }}
  }}
  gateway = {{ cidr = "10.20.0.0/27", project = "platform", purpose = "gateway", name = "GatewaySubnet" }}
}}

resource "aifactory_subnet_allocation" "p" {{
  for_each           = local.projects
  key                = each.key
  virtual_network_id = aifactory_arm_resource.vnet.id
  strategy           = "slot"
  slot               = each.value.slot
  slot_prefix_length = 21
  subnets            = each.value.subnets
}}

# The vNet as Azure shows it, after the subnets exist.
data "aifactory_address_map" "live" {{
  title              = "vnt-map"
  virtual_network_id = aifactory_arm_resource.vnet.id
  allocations        = [local.gateway]
  depends_on         = [aifactory_subnet_allocation.p]
}}

# The plan, from the allocations' results: no Azure call.
data "aifactory_address_map" "plan" {{
  title         = "vnt-map"
  address_space = ["10.20.0.0/16"]
  allocations = concat([local.gateway], flatten([
    for key, a in aifactory_subnet_allocation.p : [
      for purpose, cidr in a.cidrs : {{ cidr = cidr, project = key, purpose = purpose, name = "snt-${{key}}-${{purpose}}" }}
    ]
  ]))
}}

output "live_svg" {{
  value = data.aifactory_address_map.live.svg
}}
output "plan_svg" {{
  value = data.aifactory_address_map.plan.svg
}}
output "live_markdown" {{
  value = data.aifactory_address_map.live.markdown
}}
output "live" {{
  value = {{
    utilisation = data.aifactory_address_map.live.utilisation_percent
    used        = data.aifactory_address_map.live.used_addresses
    total       = data.aifactory_address_map.live.total_addresses
    largest     = data.aifactory_address_map.live.largest_free_block
    free        = length(data.aifactory_address_map.live.free_blocks)
  }}
}}
output "plan" {{
  value = {{
    utilisation = data.aifactory_address_map.plan.utilisation_percent
    largest     = data.aifactory_address_map.plan.largest_free_block
  }}
}}
"#,
        common = common()
    )
}

/// The first `<rect>` after the tooltip that starts with `cidr`: (fill, width, height).
fn block_rect(svg: &str, cidr: &str) -> Result<(String, f64, f64), String> {
    let at = svg
        .find(&format!("<title>{cidr} ("))
        .ok_or_else(|| format!("no block for {cidr} in the SVG"))?;
    let rest = &svg[at..];
    let rect = &rest[rest.find("<rect").ok_or("no rect")?..];
    let rect = &rect[..rect.find("/>").ok_or("unterminated rect")?];
    let attr = |name: &str| -> Result<String, String> {
        let key = format!(" {name}=\"");
        let start = rect
            .find(&key)
            .ok_or_else(|| format!("{name} missing in {rect}"))?
            + key.len();
        Ok(rect[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string())
    };
    let num = |name: &str| -> Result<f64, String> {
        attr(name)?
            .parse::<f64>()
            .map_err(|e| format!("{name}: {e}"))
    };
    Ok((attr("fill")?, num("width")?, num("height")?))
}

fn svg_size(svg: &str) -> Result<(u32, u32), String> {
    let head = &svg[..svg.find('>').ok_or("no svg tag")?];
    let get = |name: &str| -> Result<u32, String> {
        let key = format!(" {name}=\"");
        let start = head.find(&key).ok_or("no size")? + key.len();
        let text = head[start..].split('"').next().unwrap_or_default();
        text.parse::<f64>()
            .map(|v| v.ceil() as u32)
            .map_err(|e| format!("{name} {text:?}: {e}"))
    };
    Ok((get("width")?, get("height")?))
}

fn hex(fill: &str) -> Result<[u8; 3], String> {
    let h = fill
        .strip_prefix('#')
        .ok_or_else(|| format!("{fill} is not #rrggbb"))?;
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).map_err(|e| e.to_string());
    Ok([byte(0)?, byte(2)?, byte(4)?])
}

/// Render `svg` with rsvg-convert and check the pixels. Returns the PNG.
pub(crate) fn render_and_check(svg: &str, blocks: &[(&str, u64)]) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (svg_path, png_path) = (dir.path().join("map.svg"), dir.path().join("map.png"));
    std::fs::write(&svg_path, svg).map_err(|e| e.to_string())?;
    let out = Command::new("rsvg-convert")
        .arg("-o")
        .arg(&png_path)
        .arg(&svg_path)
        .output()
        .map_err(|e| {
            format!(
                "rsvg-convert: {e}. It comes from Debian's librsvg2-bin: run scripts/ensure-tools.sh"
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "rsvg-convert failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let bytes = std::fs::read(&png_path).map_err(|e| e.to_string())?;
    let mut decoder = png::Decoder::new(Cursor::new(bytes.clone()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => return Err(format!("unexpected PNG colour type {other:?}")),
    };
    let (w, h) = svg_size(svg)?;
    if (info.width, info.height) != (w, h) {
        return Err(format!(
            "PNG is {}x{}, the SVG says {w}x{h}",
            info.width, info.height
        ));
    }
    let pixels: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let count = |c: [u8; 3]| pixels.iter().filter(|p| **p == c).count();
    let white = count([255, 255, 255]);
    let ink = pixels.len() - white;
    if ink * 10 < pixels.len() {
        return Err(format!(
            "the picture is nearly blank: {ink} of {} pixels not white",
            pixels.len()
        ));
    }
    // Hatching: the pattern's two colours.
    for c in ["#f3f4f6", "#c3c8cf"] {
        if count(hex(c)?) < 500 {
            return Err(format!("too few hatching pixels of {c}"));
        }
    }
    // Each block's fill covers its box (less its label), so the fills' pixel counts are
    // in the ratio of the subnets' sizes.
    let mut per_address = Vec::new();
    for (cidr, addresses) in blocks {
        let (fill, bw, bh) = block_rect(svg, cidr)?;
        let n = count(hex(&fill)?) as f64;
        let area = bw * bh;
        if n < area * 0.6 || n > area * 1.05 {
            return Err(format!(
                "{cidr}: {n} pixels of {fill}, its box is {bw}x{bh} = {area}"
            ));
        }
        per_address.push((cidr, n / *addresses as f64));
    }
    let max = per_address.iter().map(|p| p.1).fold(0.0, f64::max);
    let min = per_address.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    if max > min * 1.5 {
        return Err(format!(
            "blocks are not in proportion to their sizes (pixels per address): {per_address:?}"
        ));
    }
    Ok(bytes)
}

fn output_str(state: &Value, name: &str) -> Result<String, String> {
    output_value(state, name)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("output {name} is not a string"))
}

#[test]
fn address_map_of_a_live_vnet_and_of_the_plan() {
    let fx = Arc::new(EmulatorFixture::start());
    let fx1 = fx.clone();
    let case = Case::new("address_map")
        .envs(fx.env())
        .step(config_step(common()))
        .step(hook_step("a hand-made GatewaySubnet exists", move || {
            fx1.emulator
                .put_resource(
                    &format!("{}/subnets/GatewaySubnet", vnet_id()),
                    json!({"properties": {"addressPrefix": "10.20.0.0/27"}}),
                )
                .map(|_| ())
                .map_err(|e| e.to_string())
        }))
        .step(
            config_step(with_maps())
                // 32 + 128 + 64 + 128 of 65,536 addresses.
                .check(output(
                    "live",
                    json!({"utilisation": 0.54, "used": 352, "total": 65536,
                           "largest": "10.20.128.0/17", "free": 18}),
                ))
                .check(output(
                    "plan",
                    json!({"utilisation": 0.54, "largest": "10.20.128.0/17"}),
                ))
                .check(check("the live and planned pictures are the same", |state| {
                    let (live, plan) = (output_str(state, "live_svg")?, output_str(state, "plan_svg")?);
                    if live == plan {
                        Ok(())
                    } else {
                        Err(format!("they differ:\n{live}\n---\n{plan}"))
                    }
                }))
                .check(check("the table lists owners, purposes and free blocks", |state| {
                    let md = output_str(state, "live_markdown")?;
                    for row in [
                        "| 10.20.0.0/27 | 32 | platform | gateway | GatewaySubnet |",
                        "| 10.20.8.0/25 | 128 | prj001 | genai | snt-prj001-genai |",
                        "| 10.20.8.128/26 | 64 | prj001 | aks | snt-prj001-aks |",
                        "| 10.20.16.0/25 | 128 | prj002 | private_endpoints | snt-prj002-private_endpoints |",
                        "| 10.20.128.0/17 | 32,768 | *free* |  |  |",
                        "Utilisation: **0.54%**",
                    ] {
                        if !md.contains(row) {
                            return Err(format!("{row:?} missing in:\n{md}"));
                        }
                    }
                    Ok(())
                }))
                .check(check("the SVG renders to a PNG with blocks in proportion", |state| {
                    let svg = output_str(state, "live_svg")?;
                    let png = render_and_check(
                        &svg,
                        &[("10.20.8.0/25", 128), ("10.20.8.128/26", 64), ("10.20.16.0/25", 128)],
                    )?;
                    if std::env::var_os("AIFACTORY_KEEP_WORKDIR").is_some() {
                        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("address-map.png");
                        let _ = std::fs::write(&out, png);
                        eprintln!("address map picture: {}", out.display());
                    }
                    Ok(())
                })),
        );
    run_on_all_clis(&case);
}

/// Wrong inputs are refused on their attribute at plan, before anything is read.
#[test]
fn address_map_refuses_wrong_inputs() {
    let cases = [
        (
            r#"data "aifactory_address_map" "m" {
  address_space = ["10.0.0.0/24"]
  allocations   = [{ cidr = "10.0.1.0/25", project = "p" }]
}"#,
            "lies outside the address space",
        ),
        (
            r#"data "aifactory_address_map" "m" {
  address_space = ["10.0.0.0/24"]
  allocations   = [{ cidr = "10.0.0.0/25" }, { cidr = "10.0.0.64/26" }]
}"#,
            "overlap",
        ),
        (
            r#"data "aifactory_address_map" "m" {
  virtual_network_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n"
}"#,
            "Invalid virtual network ID",
        ),
    ];
    let mut case = Case::new("address_map_errors");
    for (hcl, error) in cases {
        case = case.step(config_step(format!("{PROVIDER_PREAMBLE}\n{hcl}\n")).expect_error(error));
    }
    run_on_all_clis(&case);
}
