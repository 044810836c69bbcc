//! Tests of naming against the acceptance criteria; property tests at the end.

use proptest::prelude::*;

use super::*;

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const CMN: &str = "acme-esml-common-weu-dev-001";

pub(crate) fn input() -> NamingInput {
    NamingInput {
        number: 1,
        environment: Environment::Dev,
        location: "westeurope".to_string(),
        prefix: Some("acme-".to_string()),
        location_short: None,
        suffix: None,
        subscription_id: SUB.to_string(),
        common_resource_group_name: CMN.to_string(),
    }
}

fn errs(input: &NamingInput) -> Vec<Issue> {
    match names(input) {
        Ok(n) => panic!("expected issues, got {n:?}"),
        Err(e) => e,
    }
}

#[test]
fn salt_is_the_documented_sha256_base32_prefix() {
    let s = salt(SUB, CMN);
    assert_eq!(s.len(), SALT_LEN);
    // Recompute by the documented recipe.
    let text = format!("aifactory-salt-v1:{SUB}:{CMN}");
    let full = hash::base32_lower(&hash::sha256(text.as_bytes()));
    assert_eq!(s, full[..5]);
    assert!(s
        .chars()
        .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
    // Case and surrounding blanks do not matter; the inputs do.
    assert_eq!(
        s,
        salt(&format!(" {} ", SUB.to_uppercase()), &CMN.to_uppercase())
    );
    assert_ne!(s, salt(SUB, "acme-esml-common-weu-test-001"));
    assert_ne!(s, salt("11111111-2222-3333-4444-555555555556", CMN));
}

#[test]
fn salt_is_pinned_across_platforms_and_releases() {
    // Independently computed (Python hashlib + base64.b32encode). Changing these renames
    // every globally unique resource of every existing project.
    assert_eq!(salt(SUB, CMN), "3utme");
    assert_eq!(salt("00000000-0000-0000-0000-000000000000", "rg"), "ugdf2");
    assert_eq!(salt("00000000-0000-0000-0000-000000000000", "RG"), "ugdf2");
}

/// ARM `uniqueString()` vectors with outputs published by others (each produced by ARM,
/// by Microsoft's Azure.Deployments.Expression package, or by an independent port that
/// states it matches ARM). Not used: the examples in PowerShell/DSC's uniqueString docs,
/// because DSC hashes with the standard MurmurHash64A and RFC 4648 base32 of the
/// little-endian bytes, which is not ARM's function (its outputs differ).
#[test]
fn unique_string_matches_published_arm_vectors() {
    let cases: &[(&[&str], &str)] = &[
        // JasonWhall/go-azure-uniquestring README: "hello-world" hashes to
        // 571013382255652050, encoded "a7wkljktk6wne".
        (&["hello", "world"], "a7wkljktk6wne"),
        // takekazuomi/arm-uniquestring README (runs Azure.Deployments.Expression), also
        // the arm2tf provider's acceptance test.
        (&["test"], "rbgf3xv4ufgzg"),
        // Stack Overflow 43295720 (ARM's own assemblies): uniqueString('tyeth').
        (&["tyeth"], "zcztcwvu6iyg6"),
        // arm2tf provider acceptance test: three values.
        (&["test", "test2", "test3"], "bqgd334z2uj64"),
        // AzureNaming.Utilities tests (Azure.Deployments.Expression): a resource group ID,
        // the very shape ESML hashes.
        (
            &["/subscriptions/3c7f956b-55ee-4686-9d30-da1eb631dc59/resourceGroups/rg-devopsshieldek010dev"],
            "fd63l2gacbtca",
        ),
        // A public pure-bash port's self-test ("verified against Bicep uniqueString()").
        (&["abc"], "cgtzqvhu4i23s"),
        (
            &["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"],
            "bmg7c6xu4tw46",
        ),
        (&["foo", "bar", "baz"], "xzi4ioaxtmth4"),
    ];
    for (values, expected) in cases {
        assert_eq!(
            hash::unique_string(values),
            *expected,
            "uniqueString({values:?})"
        );
    }
    assert_eq!(hash::arm_murmur64(b"hello-world"), 571_013_382_255_652_050);
}

#[test]
fn unique_string_shape_and_tail_lengths() {
    // Every tail length (0..=7 bytes after the 8-byte rounds) gives 13 characters of the
    // alphabet, the last one from four bits plus a zero bit (an even alphabet index).
    for n in 0..=24usize {
        let text: String = "abcdefghijklmnopqrstuvwxyz".chars().take(n).collect();
        let u = hash::unique_string(&[&text]);
        assert_eq!(u.len(), 13, "{text:?}");
        assert!(u
            .chars()
            .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
        let last = u.as_bytes()[12];
        let index = if last.is_ascii_lowercase() {
            last - b'a'
        } else {
            last - b'2' + 26
        };
        assert_eq!(index % 2, 0, "{text:?} -> {u}");
    }
    // Joined with '-': two values equal one value holding the hyphen; case matters.
    assert_eq!(
        hash::unique_string(&["a", "b"]),
        hash::unique_string(&["a-b"])
    );
    assert_ne!(hash::unique_string(&["ABC"]), hash::unique_string(&["abc"]));
}

#[test]
fn esml_salt_is_bicep_unique_string_of_the_common_group_id() {
    // The resource-group-ID vector above, truncated: ESML's `uniqueInAIFenv`.
    let zero = "00000000-0000-0000-0000-000000000000";
    assert_eq!(esml_salt(zero, "my-rg"), "bmg7c");
    let id = format!("/subscriptions/{SUB}/resourceGroups/{CMN}");
    assert_eq!(esml_salt(SUB, CMN), hash::unique_string(&[&id])[..SALT_LEN]);
    // ARM reports subscription IDs lowercase, so their case does not matter; the group
    // name is hashed as written (uniqueString is case-sensitive).
    assert_eq!(esml_salt(&SUB.to_uppercase(), CMN), esml_salt(SUB, CMN));
    assert_eq!(
        esml_salt(&format!(" {SUB} "), &format!(" {CMN}")),
        esml_salt(SUB, CMN)
    );
    assert_ne!(esml_salt(SUB, &CMN.to_uppercase()), esml_salt(SUB, CMN));
    assert_ne!(esml_salt(SUB, CMN), salt(SUB, CMN));
    assert_eq!(SaltMode::Esml.salt(SUB, CMN), esml_salt(SUB, CMN));
    assert_eq!(SaltMode::AiFactory.salt(SUB, CMN), salt(SUB, CMN));
    assert_eq!(SaltMode::default(), SaltMode::AiFactory);
    for v in SaltMode::VALUES {
        assert_eq!(v.parse::<SaltMode>().map(|m| m.as_str()), Ok(v));
    }
    let e = "ESML".parse::<SaltMode>().err();
    assert_eq!(
        e.map(|e| e.expected.to_vec()),
        Some(vec!["aifactory", "esml"])
    );
}

#[test]
fn esml_mode_gives_esml_names() {
    let n = names_with(&input(), SaltMode::Esml).unwrap_or_else(|e| panic!("{e:?}"));
    let s = &n.salt;
    assert_eq!(s, &esml_salt(SUB, CMN));
    // ESML's CmnAIfactoryNaming.bicep patterns.
    assert_eq!(n.key_vault, format!("kv-p001-weu-dev-{s}01"));
    assert_eq!(n.storage, format!("saprj001weu{s}1001dev"));
    assert_eq!(n.ml_storage, format!("saprj001weu{s}2001dev"));
    assert_eq!(n.data_factory, format!("adf-001-weu-dev-{s}-001"));
    assert_eq!(n.databricks, format!("dbx-001-weu-dev-{s}-001"));
    assert_eq!(n.ml_workspace, format!("aml-001-weu-dev-{s}-001"));
    assert_eq!(n.app_insights, format!("ain-prj001-weu-dev-{s}-001"));
    assert_eq!(n.azure_openai, format!("aoai-001-weu-dev-{s}-001"));
    assert_eq!(n.cosmos_db, format!("cosmos-prj001-weu-dev-{s}-001"));
    assert_eq!(n.container_apps, format!("aca-env-prj001-weu-dev-{s}-001"));
    // Unchanged: the resource group, and the names ESML salts with its random salt.
    assert_eq!(n.resource_group, "acme-esml-project001-weu-dev-001-rg");
    assert_eq!(n.identity, format!("mi-prj001-weu-dev-{s}-001"));
    assert_eq!(n.search, format!("aisearchprj001weudev{s}001"));
    assert_eq!(n.ai_services, format!("ais-prj001-weu-dev-{s}-001"));
    assert_eq!(
        n.private_endpoints["storage_blob"].endpoint,
        format!("{}-blob-pend", n.storage)
    );
    for kind in NameKind::ALL {
        let (name, esml) = (kind.pattern(), kind.esml_pattern());
        assert!(esml.is_none_or(|e| e != name), "{kind:?}");
    }
    // The default mode is unchanged by the new API.
    assert_eq!(names_with(&input(), SaltMode::AiFactory), names(&input()));
}

#[test]
fn esml_patterns_that_overflow_are_blamed_on_an_input() {
    // ESML's storage pattern keeps the whole suffix: a four-letter location in prod is 25.
    let mut i = input();
    i.environment = Environment::Prod;
    i.location_short = Some("swec".to_string());
    assert!(names(&i).is_ok());
    let e = match names_with(&i, SaltMode::Esml) {
        Ok(n) => panic!("expected issues, got {n:?}"),
        Err(e) => e,
    };
    assert!(
        e.iter().any(|x| {
            x.name_kind().is_some_and(|(k, _)| k == NameKind::Storage)
                && (x.path == Part::LocationShort.path() || x.path == Part::Suffix.path())
        }),
        "{e:?}"
    );
}

/// ESML's random salt as a GUID's first ten characters (holding the GUID's first hyphen).
const R10: &str = "0dbf2948-a";

#[test]
fn esml_random_salt_gives_esml_identity_search_and_ai_services_names() {
    let n = names_salted(&input(), SaltMode::Esml, Some(R10)).unwrap_or_else(|e| panic!("{e:?}"));
    let s = esml_salt(SUB, CMN);
    // CmnAIfactoryNaming.bicep: miPrjName keeps the hyphen; safeNameAISearch and
    // aiServicesName remove every hyphen (and are taken to 60 and 64 characters).
    assert_eq!(n.identity, format!("mi-prj001-weu-dev-{s}0dbf2948-a-001"));
    assert_eq!(n.search, format!("aisearchprj001weudev{s}0dbf2948a001"));
    assert_eq!(
        n.ai_services,
        format!("aiservicesprj001weudev{s}0dbf2948a001")
    );
    // aiSearch.bicep: `{search}-pend`, its connection named like the service.
    let pe = &n.private_endpoints["search_search_service"];
    assert_eq!(pe.endpoint, format!("{}-pend", n.search));
    assert_eq!(pe.connection, n.search);
    // Everything else is as without the random salt.
    let without = names_with(&input(), SaltMode::Esml).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(n.key_vault, without.key_vault);
    assert_eq!(n.storage, without.storage);
    assert_eq!(n.data_factory, without.data_factory);
    assert_eq!(n.resource_group, without.resource_group);
    assert_ne!(n.identity, without.identity);
    // CmnAIfactoryNaming.bicep's Foundry v2 names (ESML's examples: `aif2h7amw6bc013dev`,
    // `aif2-p013h7adev`): the account `take(take(aif2{s5}{r10*}, 12){NNN}{env}, 20)`, its
    // project `take(take(aif2-p{NNN}{s5}{r10*}, 12){env}, 20)`, the salt without hyphens.
    assert_eq!(n.foundry_account, format!("aif2{s}0db001dev"));
    assert_eq!(n.foundry_project, format!("aif2-p001{}dev", &s[..3]));
    // Without the random salt: ours, and the project named by the project key.
    assert_eq!(
        without.foundry_account,
        format!("aif-prj001-weu-dev-{s}-001")
    );
    assert_eq!(without.foundry_project, "project001");
    // Docs: a pattern for exactly the four kinds.
    let kinds: Vec<NameKind> = NameKind::ALL
        .into_iter()
        .filter(|k| k.esml_random_pattern().is_some())
        .collect();
    assert_eq!(
        kinds,
        vec![
            NameKind::Identity,
            NameKind::Search,
            NameKind::AiServices,
            NameKind::FoundryAccount
        ]
    );
}

#[test]
fn esml_compact_names_are_taken_like_bicep() {
    // A long suffix: ESML's take(…, 60) for AI Search and take(…, 64) for AI Services keep
    // the names inside Azure's limits, exactly as ESML cuts them.
    let mut i = input();
    i.suffix = Some("-012345678901234567890123456789".to_string());
    let (n, issues) =
        compose_salted(&i, SaltMode::Esml, Some(R10)).unwrap_or_else(|e| panic!("{e:?}"));
    let s = esml_salt(SUB, CMN);
    let full = |lead: &str| format!("{lead}prj001weudev{s}0dbf2948a012345678901234567890123456789");
    let take = |x: String, k: usize| x.chars().take(k).collect::<String>();
    assert_eq!(n.search, take(full("aisearch"), 60));
    assert_eq!(n.search.len(), 60);
    assert_eq!(n.ai_services, take(full("aiservices"), 64));
    assert!(
        issues.iter().all(|x| !matches!(
            x.name_kind(),
            Some((
                NameKind::Search | NameKind::AiServices | NameKind::Identity,
                None
            ))
        )),
        "{issues:?}"
    );
}

#[test]
fn random_salt_is_validated() {
    assert_eq!(check_random_salt(SaltMode::Esml, Some(R10)), Ok(()));
    assert_eq!(
        check_random_salt(SaltMode::Esml, Some("abcdefghij")),
        Ok(())
    );
    assert_eq!(check_random_salt(SaltMode::AiFactory, None), Ok(()));
    let problem = |mode, v: &str| match check_random_salt(mode, Some(v)) {
        Ok(()) => panic!("{v:?} accepted"),
        Err(Issue {
            path,
            kind: IssueKind::InvalidRandomSalt { problem, .. },
        }) => {
            assert_eq!(path, Part::RandomSalt.path());
            problem
        }
        Err(other) => panic!("{other:?}"),
    };
    assert_eq!(
        problem(SaltMode::Esml, "0dbf2948"),
        RandomSaltProblem::Length { len: 8 }
    );
    assert_eq!(
        problem(SaltMode::Esml, "0dbf2948-ab"),
        RandomSaltProblem::Length { len: 11 }
    );
    assert_eq!(
        problem(SaltMode::Esml, "0DBF2948-A"),
        RandomSaltProblem::InvalidChar { ch: 'D' }
    );
    assert_eq!(
        problem(SaltMode::Esml, "0dbf2948_a"),
        RandomSaltProblem::InvalidChar { ch: '_' }
    );
    assert_eq!(
        problem(SaltMode::AiFactory, R10),
        RandomSaltProblem::WithoutEsml
    );
    // Texts name the attribute and the fix.
    let e = check_random_salt(SaltMode::AiFactory, Some(R10))
        .err()
        .map(|e| e.detail())
        .unwrap_or_default();
    assert!(
        e.contains("naming.salt = \"esml\"") && e.contains("remove naming.random_salt"),
        "{e}"
    );
    let e = check_random_salt(SaltMode::Esml, Some("x"))
        .err()
        .map(|e| (e.summary(), e.detail()))
        .unwrap_or_default();
    assert!(
        e.0.contains("naming.random_salt") && e.1.contains("exactly 10"),
        "{e:?}"
    );
    // Composition refuses an invalid one, on naming.random_salt.
    let e = compose_salted(&input(), SaltMode::AiFactory, Some(R10))
        .err()
        .unwrap_or_default();
    assert_eq!(
        e.iter().map(|x| x.path.clone()).collect::<Vec<_>>(),
        vec![Part::RandomSalt.path()]
    );
}

#[test]
fn random_salt_is_read_back_from_the_identity_name() {
    let s = esml_salt(SUB, CMN);
    let head = format!("mi-prj001-weu-dev-{s}");
    let parse = |name: &str| esml_random_salt_of_identity(name, &head, &["-002", "-001"]);
    assert_eq!(
        parse(&format!("{head}0dbf2948-a-002")).as_deref(),
        Some(R10)
    );
    // ESML's keepMIandKVsuffixAs001.
    assert_eq!(
        parse(&format!("{head}0dbf2948-a-001")).as_deref(),
        Some(R10)
    );
    // Case-insensitive head (Azure names are), the salt as written.
    assert_eq!(
        parse(&format!("MI-PRJ001-weu-dev-{s}0dbf2948-a-002")).as_deref(),
        Some(R10)
    );
    // This provider's identity (no random salt), other projects, wrong lengths.
    for bad in [
        format!("{head}-002"),
        format!("mi-prj002-weu-dev-{s}0dbf2948-a-002"),
        format!("{head}0dbf2948-002"),
        format!("{head}0dbf2948-ab-002"),
        format!("{head}0dbf2948-a-003"),
        "mi".to_string(),
    ] {
        assert_eq!(parse(&bad), None, "{bad}");
    }
}

proptest! {
    /// Every random salt ESML can produce gives valid names, and import reads it back
    /// from the identity's name.
    #[test]
    fn random_salts_round_trip_through_the_identity(r in "[a-z0-9-]{10}", number in 1i64..1000) {
        let mut i = input();
        i.number = number;
        let (n, issues) = compose_salted(&i, SaltMode::Esml, Some(&r)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        for kind in [NameKind::Identity, NameKind::Search, NameKind::AiServices] {
            prop_assert!(issues.iter().all(|x| x.name_kind() != Some((kind, None))), "{:?}", issues);
        }
        let head = format!("mi-prj{number:03}-weu-dev-{}", n.salt);
        prop_assert_eq!(esml_random_salt_of_identity(&n.identity, &head, &["-001"]), Some(r.clone()));
        prop_assert!(!n.search.contains('-') && !n.ai_services.contains('-'));
    }
}

#[test]
fn default_names_follow_the_conventions() {
    let n = names(&input()).unwrap_or_else(|e| panic!("{e:?}"));
    let s = &n.salt;
    assert_eq!(n.project_key, "project001");
    assert_eq!(n.location_short, "weu");
    assert_eq!(n.resource_group, "acme-esml-project001-weu-dev-001-rg");
    assert_eq!(n.identity, format!("mi-prj001-weu-dev-{s}-001"));
    assert_eq!(n.key_vault, format!("kv-p001-weu-dev{s}01"));
    assert_eq!(n.storage, format!("saprj001weu{s}101dev"));
    assert_eq!(n.ml_storage, format!("saprj001weu{s}201dev"));
    assert_eq!(n.app_insights, format!("ain-prj001-weu-dev-{s}-001"));
    assert_eq!(n.ml_workspace, format!("aml-001-weu-dev-{s}-001"));
    assert_eq!(n.databricks, format!("dbx-prj001-weu-dev-{s}-001"));
    assert_eq!(
        n.databricks_managed_resource_group,
        "acme-esml-project001-weu-dev-001-rg-dbxmgmt"
    );
    assert_eq!(n.data_factory, format!("adf-prj001-weu-dev-{s}-001"));
    assert_eq!(n.search, format!("aisearchprj001weudev{s}001"));
    assert_eq!(n.ai_services, format!("ais-prj001-weu-dev-{s}-001"));
    assert_eq!(n.datalake_path, "projects/project001");
    let pe = &n.private_endpoints["key_vault_vault"];
    assert_eq!(pe.endpoint, format!("{}-vault-pend", n.key_vault));
    assert_eq!(
        pe.network_interface,
        format!("{}-vault-pend-nic", n.key_vault)
    );
    assert_eq!(
        n.private_endpoints["search_search_service"].endpoint,
        format!("{}-searchservice-pend", n.search)
    );
    assert_eq!(n.private_endpoints.len(), PRIVATE_LINK_TARGETS.len());
}

#[test]
fn every_default_name_satisfies_its_rule_in_every_environment_and_region() {
    for env in Environment::ALL {
        for (location, _) in regions::LOCATION_SHORT {
            let mut i = input();
            i.environment = env;
            i.location = location.to_string();
            i.number = 999;
            let n = names(&i).unwrap_or_else(|e| panic!("{location} {env}: {e:?}"));
            for (kind, name) in n.all() {
                assert_eq!(rule_for(kind).check(name), Ok(()), "{kind:?} {name}");
            }
        }
    }
}

#[test]
fn number_renders_with_three_digits_and_is_range_checked() {
    let mut i = input();
    i.number = 42;
    assert_eq!(
        names(&i).map(|n| n.project_key).ok(),
        Some("project042".to_string())
    );
    for bad in [0, 1000, -1] {
        i.number = bad;
        let e = errs(&i);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, AttrPath::attr("number"));
        assert_eq!(e[0].kind, IssueKind::NumberOutOfRange { number: bad });
    }
}

#[test]
fn location_short_default_override_and_missing() {
    let mut i = input();
    i.location_short = Some("we".to_string());
    assert_eq!(
        names(&i).map(|n| n.location_short).ok(),
        Some("we".to_string())
    );
    i.location_short = None;
    i.location = "marsnorth".to_string();
    let e = errs(&i);
    assert_eq!(
        e[0].path,
        AttrPath::attr("naming").and_attr("location_short")
    );
    assert!(matches!(
        e[0].kind,
        IssueKind::NoDefaultLocationShort { .. }
    ));
    assert!(e[0].detail().contains("naming.location_short"));
    i.location = "West Europe".to_string();
    let e = errs(&i);
    assert_eq!(e[0].path, AttrPath::attr("location"));
}

#[test]
fn bad_characters_are_reported_on_their_part() {
    let mut i = input();
    i.prefix = Some("Acme_".to_string());
    i.location_short = Some("w-e".to_string());
    let e = errs(&i);
    let paths: Vec<String> = e.iter().map(|x| x.path.to_string()).collect();
    assert_eq!(paths, vec!["naming.prefix", "naming.location_short"]);
    assert!(e[0].summary().contains("'A'"));
    assert!(e[1].detail().contains("only lowercase letters and digits"));
}

#[test]
fn long_location_short_blames_location_short_with_the_exact_fix() {
    let mut i = input();
    i.environment = Environment::Prod;
    i.location_short = Some("abcdef".to_string());
    let e = errs(&i);
    // key vault: kv-p001-abcdef-prod{s5}01 is 26 > 24; storage likewise.
    let kv = e
        .iter()
        .find(|x| x.name_kind() == Some((NameKind::KeyVault, None)))
        .unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(kv.path, AttrPath::attr("naming").and_attr("location_short"));
    assert!(matches!(
        kv.kind,
        IssueKind::NameInvalid {
            fix: Fix::Shorten {
                part: Part::LocationShort,
                by: 2,
                to_at_most: 4
            },
            ..
        }
    ));
    assert!(
        kv.detail()
            .contains("Shorten naming.location_short by 2 characters (to at most 4)"),
        "{}",
        kv.detail()
    );
    assert!(kv.summary().contains("key vault name"));
}

#[test]
fn long_prefix_blames_prefix() {
    let mut i = input();
    i.prefix = Some(format!("{}-", "a".repeat(70)));
    let e = errs(&i);
    let rg = e
        .iter()
        .find(|x| x.name_kind() == Some((NameKind::ResourceGroup, None)))
        .unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(rg.path, AttrPath::attr("naming").and_attr("prefix"));
    let IssueKind::NameInvalid {
        fix: Fix::Shorten { part, by, .. },
        name,
        ..
    } = &rg.kind
    else {
        panic!("{rg:?}")
    };
    assert_eq!(*part, Part::Prefix);
    assert_eq!(name.len() - by, 90);
    assert!(rg.detail().contains("Shorten naming.prefix by"));
}

#[test]
fn long_suffix_blames_suffix_and_consecutive_hyphens_blame_their_part() {
    let mut i = input();
    i.suffix = Some("-0123456789012345678901234567890123456789".to_string());
    let e = errs(&i);
    assert!(
        e.iter()
            .all(|x| x.path == AttrPath::attr("naming").and_attr("suffix")),
        "{e:?}"
    );
    assert!(e
        .iter()
        .any(|x| x.name_kind() == Some((NameKind::MlWorkspace, None))));

    let mut i = input();
    i.suffix = Some("--1".to_string());
    let e = errs(&i);
    assert!(
        e.iter().any(|x| matches!(
            &x.kind,
            IssueKind::NameInvalid {
                kind: NameKind::DataFactory,
                violation: Violation::ConsecutiveHyphens,
                fix: Fix::Change { part: Part::Suffix },
                ..
            }
        )),
        "{e:?}"
    );
}

#[test]
fn suffix_ending_in_hyphen_breaks_edges_and_is_blamed() {
    let mut i = input();
    i.suffix = Some("-1-".to_string());
    let e = errs(&i);
    let kinds: Vec<NameKind> = e
        .iter()
        .filter_map(|x| x.name_kind().map(|(k, _)| k))
        .collect();
    assert!(kinds.contains(&NameKind::DataFactory), "{kinds:?}");
    assert!(e.iter().all(|x| x.path == Part::Suffix.path()));
}

#[test]
fn subscription_and_common_rg_are_checked() {
    let mut i = input();
    i.subscription_id = "not-a-guid".to_string();
    i.common_resource_group_name = "rg.".to_string();
    let e = errs(&i);
    assert!(e
        .iter()
        .any(|x| matches!(x.kind, IssueKind::InvalidSubscriptionId { .. }) && x.path.is_root()));
    assert!(e
        .iter()
        .any(|x| x.path.to_string() == "common.resource_group_name"));
}

#[test]
fn suffix_digits_and_compact_forms() {
    let mut i = input();
    i.suffix = Some("-x".to_string());
    let n = names(&i).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(n.key_vault, format!("kv-p001-weu-dev{}", n.salt));
    assert_eq!(n.search, format!("aisearchprj001weudev{}x", n.salt));
    i.suffix = Some(String::new());
    let n = names(&i).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(n.resource_group, "acme-esml-project001-weu-dev-rg");
}

#[test]
fn environment_parses() {
    assert_eq!("prod".parse::<Environment>(), Ok(Environment::Prod));
    let e = "Prod".parse::<Environment>().err();
    assert_eq!(
        e.map(|e| e.to_string()),
        Some("\"Prod\" is not one of dev, test, prod".to_string())
    );
}

#[test]
fn issues_render_for_every_kind() {
    let mut i = input();
    i.number = 0;
    i.location = "West".into();
    i.prefix = Some("".into());
    i.location_short = Some("".into());
    for issue in errs(&i) {
        assert!(!issue.summary().is_empty());
        assert!(!issue.detail().is_empty());
    }
}

// ---------------------------------------------------------------- properties

fn part_strategy(hyphen: bool) -> impl Strategy<Value = Option<String>> {
    let chars = if hyphen {
        "[a-z0-9-]{0,40}"
    } else {
        "[a-z0-9]{0,12}"
    };
    proptest::option::of(chars)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any input: either every produced name satisfies its type's rule, or issues come
    /// back, each on a user-controlled attribute; never a panic.
    #[test]
    fn names_satisfy_rules_or_issue_is_returned(
        number in -5i64..1100,
        env in 0usize..3,
        prefix in part_strategy(true),
        suffix in part_strategy(true),
        loc_short in part_strategy(false),
        location in prop_oneof![Just("westeurope".to_string()), Just("eastus2".to_string()), "[a-z]{1,12}"],
        rg in "[a-zA-Z0-9._()-]{1,95}",
    ) {
        let i = NamingInput {
            number,
            environment: Environment::ALL[env],
            location,
            prefix,
            location_short: loc_short,
            suffix,
            subscription_id: SUB.to_string(),
            common_resource_group_name: rg,
        };
        match names(&i) {
            Ok(n) => {
                for (kind, name) in n.all() {
                    prop_assert_eq!(rule_for(kind).check(name), Ok(()), "{:?} {}", kind, name);
                }
                for pe in n.private_endpoints.values() {
                    prop_assert_eq!(rule_for(NameKind::PrivateEndpoint).check(&pe.endpoint), Ok(()));
                    prop_assert_eq!(rule_for(NameKind::NetworkInterface).check(&pe.network_interface), Ok(()));
                }
            }
            Err(issues) => {
                prop_assert!(!issues.is_empty());
                for issue in &issues {
                    let p = issue.path.to_string();
                    prop_assert!(
                        ["number", "location", "naming.prefix", "naming.suffix", "naming.location_short",
                         "common.resource_group_name"].contains(&p.as_str()),
                        "unexpected path {} for {:?}", p, issue
                    );
                    prop_assert!(!matches!(issue.kind, IssueKind::NameInvalid { fix: Fix::Unfixable, .. }), "{:?}", issue);
                    prop_assert!(!issue.detail().is_empty());
                }
            }
        }
    }

    /// Names are a function of the input (same input, same names; salt from sub + rg only).
    #[test]
    fn names_are_deterministic(number in 1i64..1000, rg in "[a-z0-9-]{1,40}") {
        let mut i = input();
        i.number = number;
        i.common_resource_group_name = rg;
        prop_assert_eq!(names(&i), names(&i.clone()));
    }
}

/// ESML's private endpoint names per target and group ID, written out from its Bicep
/// (esml-genai-1 with keyVault.bicep, storageAccount.bicep, aiSearch.bicep,
/// csAIServices.bicep, machineLearningv2.bicep + machinelearningNetwork.bicep,
/// dataFactory.bicep, databricksPrivate.bicep and privateDns.bicep).
#[test]
fn esml_mode_names_private_endpoints_nics_and_zone_groups_as_esml() {
    let n = names_salted(&input(), SaltMode::Esml, Some(R10)).unwrap_or_else(|e| panic!("{e:?}"));
    let cases: [(&str, String, &str); 19] = [
        (
            "key_vault_vault",
            format!("{}-pend", n.key_vault),
            "endpoint",
        ),
        (
            "storage_blob",
            format!("{}-blob-pend", n.storage),
            "endpoint",
        ),
        ("storage_dfs", format!("{}-dfs-pend", n.storage), "endpoint"),
        (
            "storage_file",
            format!("{}-file-pend", n.storage),
            "endpoint",
        ),
        (
            "storage_queue",
            format!("{}-queue-pend", n.storage),
            "endpoint",
        ),
        (
            "storage_table",
            format!("{}-table-pend", n.storage),
            "endpoint",
        ),
        (
            "ml_storage_blob",
            format!("{}-blob-pend", n.ml_storage),
            "endpoint",
        ),
        (
            "ml_storage_dfs",
            format!("{}-dfs-pend", n.ml_storage),
            "endpoint",
        ),
        (
            "ml_storage_file",
            format!("{}-file-pend", n.ml_storage),
            "endpoint",
        ),
        (
            "ml_storage_queue",
            format!("{}-queue-pend", n.ml_storage),
            "endpoint",
        ),
        (
            "ml_storage_table",
            format!("{}-table-pend", n.ml_storage),
            "endpoint",
        ),
        (
            "ml_workspace_amlworkspace",
            format!("{}-pend", n.ml_workspace),
            "zone",
        ),
        (
            "search_search_service",
            format!("{}-pend", n.search),
            "endpoint",
        ),
        (
            "ai_services_account",
            format!("{}-pend", n.ai_services),
            "zone",
        ),
        (
            "data_factory_data_factory",
            format!("{}-dataFactory-pend", n.data_factory),
            "endpoint",
        ),
        (
            "databricks_databricks_ui_api",
            format!("{}-pend", n.databricks),
            "endpoint",
        ),
        // Not checked against an ESML-made project yet: ESML's default `{target}-pend`.
        ("cosmos_db_sql", format!("{}-pend", n.cosmos_db), "endpoint"),
        (
            "azure_openai_account",
            format!("{}-pend", n.azure_openai),
            "endpoint",
        ),
        // aiFoundry2025pend.bicep: `{account}-pend`, zone configs named by zone.
        (
            "foundry_account_account",
            format!("{}-pend", n.foundry_account),
            "zone",
        ),
    ];
    assert_eq!(n.private_endpoints.len(), cases.len());
    for (key, endpoint, configs) in cases {
        let pe = &n.private_endpoints[key];
        assert_eq!(pe.endpoint, endpoint, "{key}");
        assert_eq!(pe.network_interface, format!("{endpoint}-nic"), "{key}");
        assert_eq!(pe.dns_zone_group, format!("{endpoint}DnsZone"), "{key}");
        let want_connection = if key.starts_with("search_") {
            n.search.clone()
        } else {
            endpoint.clone()
        };
        assert_eq!(pe.connection, want_connection, "{key}");
        let want_configs = match configs {
            "zone" => ZoneConfigNaming::Zone,
            _ => ZoneConfigNaming::Endpoint,
        };
        assert_eq!(pe.zone_config, want_configs, "{key}");
        assert_eq!(
            rule_for(NameKind::PrivateEndpoint).check(&pe.endpoint),
            Ok(()),
            "{key}"
        );
        assert_eq!(
            rule_for(NameKind::NetworkInterface).check(&pe.network_interface),
            Ok(()),
            "{key}"
        );
    }
    // Literal, for one project: the key vault's endpoint.
    let s = esml_salt(SUB, CMN);
    assert_eq!(
        n.private_endpoints["key_vault_vault"].endpoint,
        format!("kv-p001-weu-dev-{s}01-pend")
    );
    assert_eq!(
        n.private_endpoints["key_vault_vault"].network_interface,
        format!("kv-p001-weu-dev-{s}01-pend-nic")
    );
    // Without the random salt the same patterns apply to this provider's search name.
    let without = names_with(&input(), SaltMode::Esml).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        without.private_endpoints["search_search_service"].endpoint,
        format!("{}-pend", without.search)
    );
}

#[test]
fn default_mode_keeps_its_private_endpoint_names_and_zone_groups() {
    let n = names(&input()).unwrap_or_else(|e| panic!("{e:?}"));
    for (key, pe) in &n.private_endpoints {
        let target = n.of_target(&pe.target).unwrap_or_default();
        let want = format!("{target}-{}-pend", pe.group_id.to_ascii_lowercase());
        assert_eq!(pe.endpoint, want, "{key}");
        assert_eq!(pe.network_interface, format!("{want}-nic"), "{key}");
        assert_eq!(pe.connection, want, "{key}");
        assert_eq!(pe.dns_zone_group, "default", "{key}");
        assert_eq!(pe.zone_config, ZoneConfigNaming::ZoneDashed, "{key}");
    }
    assert_eq!(
        n.private_endpoints["data_factory_data_factory"].endpoint,
        format!("{}-datafactory-pend", n.data_factory)
    );
    assert_eq!(
        NameKind::PrivateEndpoint.pattern(),
        "{target name}-{group id}-pend"
    );
    assert!(NameKind::PrivateEndpoint
        .esml_pattern()
        .is_some_and(|p| p.starts_with("{target name}-pend")));
    assert_eq!(NameKind::NetworkInterface.esml_pattern(), None);
}

// ---------------------------------------------------------------------------------------
// ESML's esml-project template (22-main.bicep), for esml projects
// ---------------------------------------------------------------------------------------

fn project_names(dbx_private: bool, random: Option<&str>) -> ProjectNames {
    let template = EsmlTemplate::Project {
        databricks_private: dbx_private,
    };
    match compose_template(&input(), SaltMode::Esml, random, template) {
        Ok((n, issues)) if issues.is_empty() => n,
        other => panic!("{other:?}"),
    }
}

/// Every name, written out from `esml-project/22-main.bicep` (projectName `prj001`,
/// uniqueInAIFenv `s5`, resourceSuffix `-001`, twoNumbers `01`).
#[test]
fn esml_project_template_gives_its_names() {
    let n = project_names(true, Some(R10));
    let s = esml_salt(SUB, CMN);
    assert_eq!(n.salt, s);
    // targetResourceGroup '{prefix}esml-project001-{loc}-{env}{suffix}-rg'.
    assert_eq!(n.resource_group, "acme-esml-project001-weu-dev-001-rg");
    // mi-${projectName}-${locationSuffix}-${env}-${uniqueInAIFenv}${randomSalt}${resourceSuffix}
    assert_eq!(n.identity, format!("mi-prj001-weu-dev-{s}{R10}-001"));
    // kv-p${projectNumber}-${locationSuffix}-${env}-${uniqueInAIFenv}${twoNumbers}
    assert_eq!(n.key_vault, format!("kv-p001-weu-dev-{s}01"));
    // sa${projectName}${locationSuffix}${uniqueInAIFenv}${prjResourceSuffixNoDash}${env}
    assert_eq!(n.storage, format!("saprj001weu{s}001dev"));
    // ain-${projectName}-${locationSuffix}-${env}-${uniqueInAIFenv}${resourceSuffix}
    assert_eq!(n.app_insights, format!("ain-prj001-weu-dev-{s}-001"));
    // aml-${projectName}-${locationSuffix}-${env}${resourceSuffix}: no salt.
    assert_eq!(n.ml_workspace, "aml-prj001-weu-dev-001");
    // dbxp-… (databricksPrivate) / dbx-… and '${targetResourceGroup}${resourceSuffix}-dbxmgmt'.
    assert_eq!(n.databricks, "dbxp-prj001-weu-dev-001");
    assert_eq!(
        project_names(false, Some(R10)).databricks,
        "dbx-prj001-weu-dev-001"
    );
    assert_eq!(
        n.databricks_managed_resource_group,
        "acme-esml-project001-weu-dev-001-rg-001-dbxmgmt"
    );
    // adf-${projectName}-${locationSuffix}-${env}-${uniqueInAIFenv}${resourceSuffix}
    assert_eq!(n.data_factory, format!("adf-prj001-weu-dev-{s}-001"));
    for (kind, name) in n.all() {
        assert_eq!(rule_for(kind).check(name), Ok(()), "{kind:?} {name}");
    }
    // Without the random salt the identity keeps this provider's name, as for genai.
    assert_eq!(
        project_names(true, None).identity,
        format!("mi-prj001-weu-dev-{s}-001")
    );
    // Each documented pattern differs from the genai one it replaces.
    for kind in NameKind::ALL {
        if let Some(p) = kind.esml_project_pattern() {
            assert_ne!(Some(p), kind.esml_pattern(), "{kind:?}");
        }
    }
}

/// The endpoints: names 22-main.bicep passes (key vault, storage) or its modules give
/// (machineLearning.bicep + machinelearningNetwork.bicep `{aml}-pend`, dataFactory.bicep
/// `{adf}-{gid}-pend`, databricksPrivate.bicep `{dbxp}-pend`); NIC `{pe}-nic`, connection
/// like the endpoint, zone group `{pe}DnsZone` (privateDns.bicep / machinelearningNetwork.bicep).
#[test]
fn esml_project_template_names_its_private_endpoints() {
    let n = project_names(true, Some(R10));
    let cases: [(&str, String, ZoneConfigNaming); 9] = [
        (
            "key_vault_vault",
            "pend-prj001-kv1-to-vnt-mlcmn".into(),
            ZoneConfigNaming::Endpoint,
        ),
        (
            "storage_blob",
            "pend-sa-prj001weudev-blob-to-vnt-mlcmn".into(),
            ZoneConfigNaming::Endpoint,
        ),
        (
            "storage_dfs",
            "pend-sa-prj001weudev-dfs-to-vnt-mlcmn".into(),
            ZoneConfigNaming::Endpoint,
        ),
        (
            "storage_file",
            "pend-sa-prj001weudev-file-to-vnt-mlcmn".into(),
            ZoneConfigNaming::Endpoint,
        ),
        (
            "storage_queue",
            "pend-sa-prj001weudev-queue-to-vnt-mlcmn".into(),
            ZoneConfigNaming::Endpoint,
        ),
        (
            "storage_table",
            "pend-sa-prj001weudev-table-to-vnt-mlcmn".into(),
            ZoneConfigNaming::Endpoint,
        ),
        (
            "ml_workspace_amlworkspace",
            "aml-prj001-weu-dev-001-pend".into(),
            ZoneConfigNaming::Zone,
        ),
        (
            "data_factory_data_factory",
            format!("{}-dataFactory-pend", n.data_factory),
            ZoneConfigNaming::Endpoint,
        ),
        (
            "databricks_databricks_ui_api",
            "dbxp-prj001-weu-dev-001-pend".into(),
            ZoneConfigNaming::Endpoint,
        ),
    ];
    for (key, endpoint, zone_config) in cases {
        let pe = &n.private_endpoints[key];
        assert_eq!(pe.endpoint, endpoint, "{key}");
        assert_eq!(pe.network_interface, format!("{endpoint}-nic"), "{key}");
        assert_eq!(pe.connection, endpoint, "{key}");
        assert_eq!(pe.dns_zone_group, format!("{endpoint}DnsZone"), "{key}");
        assert_eq!(pe.zone_config, zone_config, "{key}");
        assert_eq!(
            rule_for(NameKind::PrivateEndpoint).check(&pe.endpoint),
            Ok(()),
            "{key}"
        );
        assert_eq!(
            rule_for(NameKind::NetworkInterface).check(&pe.network_interface),
            Ok(()),
            "{key}"
        );
    }
}

/// The template only applies with `naming.salt = "esml"`; genai's ESML names and the
/// default names are unchanged.
#[test]
fn esml_project_template_changes_nothing_else() {
    let project = EsmlTemplate::Project {
        databricks_private: true,
    };
    for mode in [SaltMode::AiFactory, SaltMode::Esml] {
        let random = (mode == SaltMode::Esml).then_some(R10);
        let genai = compose_template(&input(), mode, random, EsmlTemplate::Genai);
        assert_eq!(genai, compose_salted(&input(), mode, random), "{mode}");
        if mode == SaltMode::AiFactory {
            assert_eq!(
                compose_template(&input(), mode, None, project),
                compose(&input())
            );
        }
    }
    let genai =
        names_salted(&input(), SaltMode::Esml, Some(R10)).unwrap_or_else(|e| panic!("{e:?}"));
    let project = project_names(true, Some(R10));
    // Shared with esml-genai-1: group, identity, key vault, Application Insights.
    for (a, b) in [
        (&genai.resource_group, &project.resource_group),
        (&genai.identity, &project.identity),
        (&genai.key_vault, &project.key_vault),
        (&genai.app_insights, &project.app_insights),
    ] {
        assert_eq!(a, b);
    }
    assert_ne!(genai.storage, project.storage);
}

/// A long location in prod overflows ESML's own pattern; the issue names an input.
#[test]
fn esml_project_template_overflow_is_blamed_on_an_input() {
    let mut i = input();
    i.environment = Environment::Prod;
    i.location_short = Some("swedc".to_string());
    let template = EsmlTemplate::Project {
        databricks_private: true,
    };
    let (_, issues) =
        compose_template(&i, SaltMode::Esml, None, template).unwrap_or_else(|e| panic!("{e:?}"));
    // saprj001swedc{s5}001prod = 25 characters.
    assert!(
        issues.iter().any(
            |x| x.name_kind().is_some_and(|(k, _)| k == NameKind::Storage)
                && (x.path == Part::LocationShort.path() || x.path == Part::Suffix.path())
        ),
        "{issues:?}"
    );
}
