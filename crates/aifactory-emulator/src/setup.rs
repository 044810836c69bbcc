//! Bringing the state to a configuration: applying a seed document (directory, then —
//! unless only the directory is wanted — resources and filesystems) and resetting to the start
//! configuration.
//!
//! Owns the order of seeding; must not validate resources itself (`arm::drift` applies them
//! like a PUT) or serve requests.

use crate::arm::drift::apply_seed_resource;
use crate::dfs::filesystem::seed_filesystem;
use crate::faults::Faults;
use crate::seed::Seed;
use crate::shared::Initial;
use crate::state::State;

/// Applies a seed: directory, then (with `with_resources`) resources and filesystems.
pub fn apply_seed(
    st: &mut State,
    base: &str,
    seed: &Seed,
    with_resources: bool,
) -> Result<(), String> {
    let now = st.now_ms();
    let settings = st.settings.clone();
    st.directory.apply(seed, now, &settings)?;
    st.dirty = true;
    if with_resources {
        for r in &seed.resources {
            apply_seed_resource(st, base, &r.id, &r.body)?;
        }
        for fs in &seed.filesystems {
            seed_filesystem(st, fs)?;
        }
    }
    Ok(())
}

/// Back to the initial configuration (keeps the signing key so cached tokens stay valid).
pub fn reset_state(st: &mut State, base: &str, initial: &Initial) -> Result<(), String> {
    let key = st.signing_key.clone();
    let fault_seed = initial.settings.fault_seed;
    *st = State::new(
        initial.settings.clone(),
        Faults::new(initial.faults.clone(), fault_seed),
    );
    st.signing_key = key;
    apply_seed(st, base, &initial.seed, true)?;
    st.dirty = true;
    Ok(())
}
