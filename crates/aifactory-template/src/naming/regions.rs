//! Default `naming.location_short` per Azure region (programmatic location name). This is
//! the project's own abbreviation convention in the style ESML uses (`eus2`, `sdc`, `weu`),
//! not an Azure fact; any region missing here needs `naming.location_short`.

/// (location, short code), sorted by location.
pub const LOCATION_SHORT: &[(&str, &str)] = &[
    ("australiacentral", "auc"),
    ("australiaeast", "aue"),
    ("australiasoutheast", "ause"),
    ("austriaeast", "ate"),
    ("belgiumcentral", "bec"),
    ("brazilsouth", "brs"),
    ("canadacentral", "cac"),
    ("canadaeast", "cae"),
    ("centralindia", "inc"),
    ("centralus", "cus"),
    ("chilecentral", "clc"),
    ("chinaeast2", "ce2"),
    ("chinaeast3", "ce3"),
    ("chinanorth2", "cn2"),
    ("chinanorth3", "cn3"),
    ("denmarkeast", "dke"),
    ("eastasia", "ea"),
    ("eastus", "eus"),
    ("eastus2", "eus2"),
    ("francecentral", "frc"),
    ("germanywestcentral", "gwc"),
    ("indonesiacentral", "idc"),
    ("israelcentral", "ilc"),
    ("italynorth", "itn"),
    ("japaneast", "jpe"),
    ("japanwest", "jpw"),
    ("koreacentral", "krc"),
    ("koreasouth", "krs"),
    ("malaysiawest", "myw"),
    ("mexicocentral", "mxc"),
    ("newzealandnorth", "nzn"),
    ("northcentralus", "ncus"),
    ("northeurope", "neu"),
    ("norwayeast", "nwe"),
    ("polandcentral", "plc"),
    ("qatarcentral", "qac"),
    ("southafricanorth", "san"),
    ("southcentralus", "scus"),
    ("southeastasia", "sea"),
    ("southindia", "ins"),
    ("spaincentral", "spc"),
    ("swedencentral", "sdc"),
    ("switzerlandnorth", "szn"),
    ("uaenorth", "uan"),
    ("uksouth", "uks"),
    ("ukwest", "ukw"),
    ("usgovarizona", "uga"),
    ("usgovtexas", "ugt"),
    ("usgovvirginia", "ugv"),
    ("westcentralus", "wcus"),
    ("westeurope", "weu"),
    ("westus", "wus"),
    ("westus2", "wus2"),
    ("westus3", "wus3"),
];

/// The default short code for a location, if the table has one.
pub fn default_location_short(location: &str) -> Option<&'static str> {
    LOCATION_SHORT
        .binary_search_by(|(l, _)| (*l).cmp(location))
        .ok()
        .map(|i| LOCATION_SHORT[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_codes_are_short_lowercase_alnum() {
        for w in LOCATION_SHORT.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        let mut codes: Vec<&str> = LOCATION_SHORT.iter().map(|(_, c)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), LOCATION_SHORT.len(), "codes are unique");
        for (_, c) in LOCATION_SHORT {
            assert!((2..=4).contains(&c.len()), "{c}");
            assert!(
                c.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit()),
                "{c}"
            );
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(default_location_short("westeurope"), Some("weu"));
        assert_eq!(default_location_short("eastus2"), Some("eus2"));
        assert_eq!(default_location_short("swedencentral"), Some("sdc"));
        assert_eq!(default_location_short("marsnorth"), None);
    }
}
