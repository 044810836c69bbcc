//! The IDs users write (attributes and import IDs), checked at validate time against ARM's
//! ID grammar and the type each attribute expects, with the error on the attribute and
//! an example of the right shape.
//!
//! Owns: the message and the example. Must not: parse IDs itself (`aifactory_azure::ArmId`
//! holds the grammar), talk to Azure, or know any one resource's attributes.

use aifactory_azure::ArmId;

/// The shape an ID of `ty` (`Microsoft.Network/virtualNetworks/subnets`) is written in.
pub(crate) fn example(ty: &str) -> String {
    let mut parts = ty.split('/');
    let namespace = parts.next().unwrap_or_default();
    let types: Vec<&str> = parts.collect();
    match (namespace, types.as_slice()) {
        (n, ["subscriptions"]) if n.eq_ignore_ascii_case("Microsoft.Resources") => {
            "/subscriptions/{subscription ID}".into()
        }
        (n, ["resourceGroups"]) if n.eq_ignore_ascii_case("Microsoft.Resources") => {
            "/subscriptions/{subscription ID}/resourceGroups/{name}".into()
        }
        _ => {
            let mut s = format!(
                "/subscriptions/{{subscription ID}}/resourceGroups/{{group}}/providers/{namespace}"
            );
            for (i, t) in types.iter().enumerate() {
                let name = if i + 1 == types.len() {
                    "name"
                } else {
                    "parent"
                };
                s.push_str(&format!("/{t}/{{{name}}}"));
            }
            s
        }
    }
}

/// `id` parsed as one resource (of type `ty` when given), or why not, as a sentence that
/// ends with the right shape.
pub(crate) fn check(id: &str, ty: Option<&str>) -> Result<ArmId, String> {
    let what = ty.map_or("an ARM resource".to_string(), |t| format!("a {t}"));
    let shape = ty.map_or(
        "/subscriptions/{subscription ID}/resourceGroups/{group}/providers/{Namespace}/{type}/{name}"
            .to_string(),
        example,
    );
    let parsed = ArmId::parse_resource(id)
        .map_err(|e| format!("{id:?} is not the ID of {what}: {e}. Write it as {shape}."))?;
    match ty {
        Some(t) if !parsed.is_type(t) => Err(format!(
            "{id:?} is the ID of a {}, not of {what}. Write it as {shape}.",
            parsed.resource_type()
        )),
        _ => Ok(parsed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg";
    const VNET: &str = "Microsoft.Network/virtualNetworks";

    /// Hostile and mistyped IDs, each refused with the reason and the right shape.
    #[test]
    fn ids_are_checked_against_the_grammar_and_the_type() {
        let vnet = format!("{RG}/providers/{VNET}/v1");
        let cases: Vec<(String, Option<&str>, Result<(), &str>)> = vec![
            (vnet.clone(), Some(VNET), Ok(())),
            (vnet.to_uppercase().replace("SUBSCRIPTIONS", "subscriptions"), Some(VNET), Ok(())),
            (format!("{vnet}/subnets/s"), Some("Microsoft.Network/virtualNetworks/subnets"), Ok(())),
            (RG.into(), Some("Microsoft.Resources/resourceGroups"), Ok(())),
            (format!("{RG}/%2e%2e/%2e%2e/subscriptions/x/resourceGroups/y"), None, Err("relative path step")),
            (format!("{RG}/providers/{VNET}/.%2E"), Some(VNET), Err("relative path step")),
            (format!("{RG}/providers/{VNET}/a\nb"), Some(VNET), Err("control character")),
            (format!("{RG}/providers/{VNET}/a%09b"), Some(VNET), Err("control character")),
            (format!("{RG}//providers/{VNET}/v"), Some(VNET), Err("empty segment")),
            (format!("{RG}/providers/{VNET}/v/"), Some(VNET), Err("empty segment")),
            (format!("{RG}/providers/Microsoft.Network/networkSecurityGroups/n"), Some(VNET), Err("is the ID of a Microsoft.Network/networkSecurityGroups, not of a Microsoft.Network/virtualNetworks")),
            (format!("{RG}/providers/{VNET}"), Some(VNET), Err("collection")),
            ("rg".into(), None, Err("must start with")),
        ];
        for (id, ty, want) in cases {
            match (check(&id, ty), want) {
                (Ok(_), Ok(())) => {}
                (Err(why), Err(part)) => {
                    assert!(why.contains(part), "{id:?}: {why}");
                    assert!(why.contains("Write it as /"), "{id:?}: {why}");
                }
                (got, want) => panic!("{id:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn examples_show_the_shape_of_each_type() {
        assert_eq!(
            example("Microsoft.Network/virtualNetworks/subnets"),
            "/subscriptions/{subscription ID}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{parent}/subnets/{name}"
        );
        assert_eq!(
            example("Microsoft.Resources/resourceGroups"),
            "/subscriptions/{subscription ID}/resourceGroups/{name}"
        );
    }
}
