//! Registry documentation rendered from the schemas: the descriptions written once in the
//! code become `docs/` in the Terraform Registry layout, with the examples from `examples/`
//! (tfplugindocs layout) embedded. `tests/docs.rs` fails when `docs/` is stale and rewrites
//! it with `AIFACTORY_UPDATE_DOCS=1`.
//!
//! Must not: invent content. Everything comes from schemas, examples and `templates/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::framework::schema::{AttrType, Attribute, FunctionSignature, Mode, Nesting, Schema};
use crate::provider::AifactoryProvider;

const PROVIDER: &str = "aifactory";

fn read(root: &Path, rel: &str) -> Option<String> {
    std::fs::read_to_string(root.join(rel)).ok()
}

/// A template with the generated tables it asks for (`{{ project.resource_list }}`,
/// `{{ project.role_matrix }}`, `{{ project.acl_layout }}`, `{{ project.naming_rules }}`):
/// rendered from the same tables the project template uses.
fn expand(text: Option<String>) -> Option<String> {
    use aifactory_template::project::docs;
    text.map(|t| {
        t.replace(
            "{{ project.resource_list }}",
            docs::resource_list_markdown().trim_end(),
        )
        .replace(
            "{{ project.role_matrix }}",
            docs::role_matrix_markdown().trim_end(),
        )
        .replace(
            "{{ project.acl_layout }}",
            docs::acl_layout_markdown().trim_end(),
        )
        .replace(
            "{{ project.naming_rules }}",
            docs::naming_rules_markdown().trim_end(),
        )
    })
}

fn frontmatter(title: &str, description: &str) -> String {
    let mut s = String::from("---\n");
    let _ = writeln!(s, "page_title: \"{title}\"");
    s.push_str("subcategory: \"\"\ndescription: |-\n");
    for line in first_paragraph(description).lines() {
        let _ = writeln!(s, "  {line}");
    }
    s.push_str("---\n\n");
    s
}

fn first_paragraph(text: &str) -> &str {
    text.split("\n\n").next().unwrap_or(text)
}

fn example_block(out: &mut String, heading: &str, body: Option<String>, lang: &str) {
    if let Some(body) = body {
        let _ = writeln!(out, "## {heading}\n\n```{lang}\n{}\n```\n", body.trim_end());
    }
}

fn mode_word(a: &Attribute) -> &'static str {
    match a.mode {
        Mode::Required => "Required",
        Mode::Optional | Mode::OptionalComputed => "Optional",
        Mode::Computed => "Read-Only",
    }
}

fn type_text(a: &Attribute) -> String {
    match &a.ty {
        AttrType::Plain(t) => t.hcl(),
        AttrType::Nested(Nesting::Single, _) => "Attributes".into(),
        AttrType::Nested(Nesting::List, _) => "Attributes List".into(),
        AttrType::Nested(Nesting::Set, _) => "Attributes Set".into(),
        AttrType::Nested(Nesting::Map, _) => "Attributes Map".into(),
        AttrType::Block(Nesting::Single, _) => "Block, Optional".into(),
        AttrType::Block(Nesting::List, _) => "Block List".into(),
        AttrType::Block(Nesting::Set, _) => "Block Set".into(),
        AttrType::Block(Nesting::Map, _) => "Block Map".into(),
    }
}

/// `### Required` / `### Optional` / `### Read-Only` lists (`Optional:` and so on inside
/// a nested schema), nested schemas after them, as tfplugindocs writes them: attributes
/// and blocks sorted together, a nested attribute linking `#nestedatt--<path>`, a block
/// `#nestedblock--<path>`.
fn attributes_section(out: &mut String, attrs: &[Attribute], anchor_prefix: &str) {
    let root = anchor_prefix.is_empty();
    let mut nested: Vec<(String, &'static str, &Attribute)> = Vec::new();
    for group in ["Required", "Optional", "Read-Only"] {
        let mut members: Vec<&Attribute> = attrs.iter().filter(|a| mode_word(a) == group).collect();
        if members.is_empty() {
            continue;
        }
        members.sort_by(|a, b| a.name.cmp(&b.name));
        if root {
            let _ = writeln!(out, "### {group}\n");
        } else {
            let _ = writeln!(out, "{group}:\n");
        }
        for a in members {
            let anchor = format!("{anchor_prefix}{}", a.name);
            let mut desc = a.description.clone();
            if a.forces_replacement && !desc.contains("replaces") {
                desc.push_str(" Changing this forces a new resource.");
            }
            if a.sensitive {
                desc.push_str(" Sensitive.");
            }
            let kind = match a.ty {
                AttrType::Nested(..) => Some("nestedatt"),
                AttrType::Block(..) => Some("nestedblock"),
                AttrType::Plain(_) => None,
            };
            if let Some(kind) = kind {
                let _ = writeln!(
                    out,
                    "- `{}` ({}) {} (see [below for nested schema](#{kind}--{anchor}))",
                    a.name,
                    type_text(a),
                    desc
                );
                nested.push((anchor, kind, a));
            } else {
                let _ = writeln!(out, "- `{}` ({}) {}", a.name, type_text(a), desc);
            }
        }
        out.push('\n');
    }
    for (anchor, kind, a) in nested {
        if let AttrType::Nested(_, inner) | AttrType::Block(_, inner) = &a.ty {
            let _ = writeln!(
                out,
                "<a id=\"{kind}--{anchor}\"></a>\n### Nested Schema for `{}`\n",
                anchor.replace("--", ".")
            );
            attributes_section(out, inner, &format!("{anchor}--"));
        }
    }
}

fn schema_page(
    title: &str,
    heading: &str,
    schema: &Schema,
    examples: &[(&str, Option<String>, &str)],
    extra: Option<String>,
) -> String {
    let mut out = frontmatter(title, &schema.description);
    let _ = writeln!(out, "# {heading}\n\n{}\n", schema.description.trim_end());
    for (h, body, lang) in examples.iter().filter(|(h, ..)| *h == "Example Usage") {
        example_block(&mut out, h, body.clone(), lang);
    }
    if let Some(extra) = extra {
        let _ = writeln!(out, "{}\n", extra.trim_end());
    }
    out.push_str("## Schema\n\n");
    attributes_section(&mut out, &schema.attributes, "");
    for (h, body, lang) in examples.iter().filter(|(h, ..)| *h != "Example Usage") {
        example_block(&mut out, h, body.clone(), lang);
    }
    format!("{}\n", out.trim_end())
}

fn function_page(name: &str, f: &FunctionSignature, example: Option<String>) -> String {
    let mut out = frontmatter(
        &format!("{name} function - terraform-provider-{PROVIDER}"),
        &f.summary,
    );
    let _ = writeln!(out, "# function: {name}\n\n{}\n", f.description.trim_end());
    example_block(&mut out, "Example Usage", example, "terraform");
    out.push_str("## Signature\n\n```text\n");
    let params = f
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, p.ty.hcl()))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(out, "{name}({params}) {}\n```\n", f.returns.hcl());
    out.push_str("## Arguments\n\n");
    for (i, p) in f.parameters.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. `{}` ({}) {}",
            i + 1,
            p.name,
            p.ty.hcl(),
            p.description
        );
    }
    format!("{}\n", out.trim_end())
}

/// Every docs file, as (path relative to the repository root, content).
pub fn render_all(root: &Path) -> Vec<(PathBuf, String)> {
    let provider = AifactoryProvider::new();
    let mut pages = Vec::new();
    let ps = provider.schema();
    pages.push((
        PathBuf::from("docs/index.md"),
        schema_page(
            &format!("Provider: {PROVIDER}"),
            &format!("{PROVIDER} Provider"),
            &ps,
            &[(
                "Example Usage",
                read(root, "examples/provider/provider.tf"),
                "terraform",
            )],
            read(root, "templates/index.md"),
        ),
    ));
    for r in provider.resources() {
        let full = format!("{PROVIDER}_{}", r.type_name());
        let dir = format!("examples/resources/{full}");
        pages.push((
            PathBuf::from(format!("docs/resources/{}.md", r.type_name())),
            schema_page(
                &format!("{full} Resource - terraform-provider-{PROVIDER}"),
                &format!("{full} (Resource)"),
                &r.schema(),
                &[
                    (
                        "Example Usage",
                        read(root, &format!("{dir}/resource.tf")),
                        "terraform",
                    ),
                    ("Import", read(root, &format!("{dir}/import.sh")), "shell"),
                ],
                expand(read(
                    root,
                    &format!("templates/resources/{}.md", r.type_name()),
                )),
            ),
        ));
    }
    for d in provider.data_sources() {
        let full = format!("{PROVIDER}_{}", d.type_name());
        let dir = format!("examples/data-sources/{full}");
        pages.push((
            PathBuf::from(format!("docs/data-sources/{}.md", d.type_name())),
            schema_page(
                &format!("{full} Data Source - terraform-provider-{PROVIDER}"),
                &format!("{full} (Data Source)"),
                &d.schema(),
                &[(
                    "Example Usage",
                    read(root, &format!("{dir}/data-source.tf")),
                    "terraform",
                )],
                expand(read(
                    root,
                    &format!("templates/data-sources/{}.md", d.type_name()),
                )),
            ),
        ));
    }
    for f in provider.functions() {
        pages.push((
            PathBuf::from(format!("docs/functions/{}.md", f.name())),
            function_page(
                f.name(),
                &f.signature(),
                read(
                    root,
                    &format!("examples/functions/{}/function.tf", f.name()),
                ),
            ),
        ));
    }
    pages
}
