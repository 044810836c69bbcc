//! Virtual machines and the network interfaces they take (`Microsoft.Compute/virtualMachines`,
//! stable 2025-04-01; `Microsoft.Network/networkInterfaces`, stable 2024-05-01; both
//! long-running). A NIC's IP configurations name existing subnets (400
//! `InvalidResourceReference`); the NIC holds its subnet (`InUseSubnetCannotBeDeleted`).
//! A VM PUT is checked as Compute answers, 400 `InvalidParameter` with Azure's messages:
//! `hardwareProfile.vmSize`, `storageProfile.osDisk.createOption`, and for an image
//! `storageProfile.imageReference`, `osProfile.computerName` and `osProfile.adminUsername`
//! are required; the admin username is 1 to 64 characters and not one of Azure's reserved
//! names ("The Admin Username specified is not allowed."); a Linux profile that disables
//! password authentication needs an SSH public key or a password. Each NIC of
//! `networkProfile.networkInterfaces` must exist (400 `InvalidParameter`, the emulator's
//! wording) with its subnets, and is attached to one VM at most (400 `NicInUse`: the
//! emulator's choice of code). The VM gets a managed OS disk (`Microsoft.Compute/disks`,
//! `<vm>_OsDisk_1_<hex>` unless named) and its NICs point back at it
//! (`properties.virtualMachine.id`). The VM holds its NICs (DELETE: 400 `NicInUse`, Azure's
//! code) and its OS disk (409 `OperationNotAllowed`); deleting the VM deletes the OS disk and
//! the NICs whose `deleteOption` is `Delete` and frees the others. A replace may not change
//! the admin user, computer name or SSH keys (409 `PropertyChangeNotAllowed`).
//!
//! Owns these checks and the side effects of VM writes and removals; must not answer
//! successes. Sources: learn.microsoft.com "Delete a VM and attached resources"
//! (`deleteOption`), the Compute REST spec 2025-04-01 (`virtualMachine.json`), Azure's
//! documented reserved admin user names (Linux VM FAQ).

use crate::arm::id::key;
use crate::arm::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::State;
use crate::util;
use http::StatusCode;
use serde_json::{json, Map, Value};

pub const VM: &str = "Microsoft.Compute/virtualMachines";
pub const NIC: &str = "Microsoft.Network/networkInterfaces";
pub const DISK: &str = "Microsoft.Compute/disks";

/// Admin user names Azure refuses (Linux and Windows).
pub const RESERVED_USERNAMES: [&str; 32] = [
    "administrator",
    "admin",
    "user",
    "user1",
    "test",
    "user2",
    "test1",
    "user3",
    "admin1",
    "1",
    "123",
    "a",
    "actuser",
    "adm",
    "admin2",
    "aspnet",
    "backup",
    "console",
    "david",
    "guest",
    "john",
    "owner",
    "root",
    "server",
    "sql",
    "support",
    "support_388945a0",
    "sys",
    "test2",
    "test3",
    "user4",
    "user5",
];

fn bad(code: &str, message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, code, message)
}

fn invalid(target: &str, message: &str) -> Resp {
    Resp::json(
        StatusCode::BAD_REQUEST,
        &json!({"error": {"code": "InvalidParameter", "message": message, "target": target}}),
    )
}

fn required(target: &str) -> Resp {
    invalid(
        target,
        &format!("Required parameter '{target}' is missing (null)."),
    )
}

fn str_at<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

fn arr(v: &Value, p: &str) -> Vec<Value> {
    v.pointer(p)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn nic_ids(vm: &Value) -> Vec<String> {
    arr(vm, "/properties/networkProfile/networkInterfaces")
        .iter()
        .map(|n| str_at(n, "/id").to_string())
        .collect()
}

fn missing(reference: &str, id: &str) -> Resp {
    bad(
        "InvalidResourceReference",
        format!("Resource {reference} referenced by resource {id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
    )
}

/// The VM (other than `except`) whose network profile names NIC `nic_id`.
fn nic_holder(st: &State, nic_id: &str, except: &str) -> Option<String> {
    let k = key(nic_id);
    st.store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(VM)
                && key(&r.id) != key(except)
                && nic_ids(&r.body).iter().any(|n| key(n) == k)
        })
        .first()
        .map(|r| r.id.clone())
}

/// The NIC whose IP configurations use subnet `subnet_id`.
pub fn subnet_holder(st: &State, subnet_id: &str) -> Option<String> {
    let k = key(subnet_id);
    st.store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(NIC)
                && arr(&r.body, "/properties/ipConfigurations")
                    .iter()
                    .any(|c| key(str_at(c, "/properties/subnet/id")) == k)
        })
        .first()
        .map(|r| r.id.clone())
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    let body = Value::Object(body.clone());
    if full_type.eq_ignore_ascii_case(NIC) {
        return check_nic(st, id, &body);
    }
    if full_type.eq_ignore_ascii_case(VM) {
        return check_vm(st, id, &body);
    }
    Ok(())
}

fn check_nic(st: &State, id: &str, body: &Value) -> Result<(), Resp> {
    let configs = arr(body, "/properties/ipConfigurations");
    if configs.is_empty() {
        return Err(bad(
            "InvalidRequestFormat",
            format!("Cannot parse the request. Network interface {id} needs at least one entry in properties.ipConfigurations."),
        ));
    }
    for c in &configs {
        let subnet = str_at(c, "/properties/subnet/id");
        if !st.store.contains(subnet) {
            return Err(missing(subnet, id));
        }
    }
    Ok(())
}

fn check_vm(st: &State, id: &str, body: &Value) -> Result<(), Resp> {
    if str_at(body, "/properties/hardwareProfile/vmSize").is_empty() {
        return Err(required("hardwareProfile.vmSize"));
    }
    let create = str_at(body, "/properties/storageProfile/osDisk/createOption");
    if create.is_empty() {
        return Err(required("osDisk.createOption"));
    }
    if create.eq_ignore_ascii_case("FromImage") {
        if body
            .pointer("/properties/storageProfile/imageReference")
            .is_none()
        {
            return Err(required("imageReference"));
        }
        if str_at(body, "/properties/osProfile/computerName").is_empty() {
            return Err(required("osProfile.computerName"));
        }
        let user = str_at(body, "/properties/osProfile/adminUsername");
        if user.is_empty() {
            return Err(required("osProfile.adminUsername"));
        }
        if user.len() > 64
            || RESERVED_USERNAMES
                .iter()
                .any(|r| r.eq_ignore_ascii_case(user))
        {
            return Err(invalid(
                "adminUsername",
                "The Admin Username specified is not allowed.",
            ));
        }
        let linux = body.pointer("/properties/osProfile/linuxConfiguration");
        let no_password = linux
            .and_then(|l| l.pointer("/disablePasswordAuthentication"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let keys = arr(
            body,
            "/properties/osProfile/linuxConfiguration/ssh/publicKeys",
        );
        if linux.is_some() && no_password && keys.is_empty() {
            return Err(invalid(
                "linuxConfiguration",
                "Authentication using either SSH or by user name and password must be enabled in Linux profile.",
            ));
        }
    }
    if let Some(old) = st.store.get(id) {
        for (ptr, name) in [
            (
                "/properties/osProfile/adminUsername",
                "osProfile.adminUsername",
            ),
            (
                "/properties/osProfile/computerName",
                "osProfile.computerName",
            ),
            (
                "/properties/osProfile/linuxConfiguration/ssh/publicKeys",
                "linuxConfiguration.ssh.publicKeys",
            ),
        ] {
            if body.pointer(ptr).is_some() && body.pointer(ptr) != old.body.pointer(ptr) {
                return Err(Resp::json(
                    StatusCode::CONFLICT,
                    &json!({"error": {"code": "PropertyChangeNotAllowed", "message": format!("Changing property '{name}' is not allowed."), "target": name}}),
                ));
            }
        }
    }
    let nics = nic_ids(body);
    if nics.is_empty() {
        return Err(required("networkProfile"));
    }
    for (i, nic_id) in nics.iter().enumerate() {
        let Some(nic) = st.store.get(nic_id) else {
            return Err(invalid(
                &format!("networkProfile.networkInterfaces[{i}].id"),
                &format!(
                    "Network interface {nic_id} referenced by virtual machine {id} was not found."
                ),
            ));
        };
        for c in arr(&nic.body, "/properties/ipConfigurations") {
            let subnet = str_at(&c, "/properties/subnet/id");
            if !st.store.contains(subnet) {
                return Err(missing(subnet, nic_id));
            }
        }
        if let Some(other) = nic_holder(st, nic_id, id) {
            return Err(bad(
                "NicInUse",
                format!("Network Interface {nic_id} is used by existing resource {other}. A network interface can be attached to one virtual machine only."),
            ));
        }
    }
    Ok(())
}

/// After a VM is stored: its managed OS disk exists (made once, named in the VM body) and
/// its NICs name it.
pub fn after_put(st: &mut State, full_type: &str, id: &str) {
    if !full_type.eq_ignore_ascii_case(VM) {
        return;
    }
    let Some(vm) = st.store.get(id).cloned() else {
        return;
    };
    let rg_id = id
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    let vm_name = id.rsplit('/').next().unwrap_or_default();
    let disk_name = match str_at(&vm.body, "/properties/storageProfile/osDisk/name") {
        "" => format!("{vm_name}_OsDisk_1_{}", util::new_guid().replace('-', "")),
        n => n.to_string(),
    };
    let disk_id = match str_at(&vm.body, "/properties/storageProfile/osDisk/managedDisk/id") {
        "" => format!("{rg_id}/providers/{DISK}/{disk_name}"),
        d => d.to_string(),
    };
    if !st.store.contains(&disk_id) {
        st.put_provider_made(
            &disk_id,
            &rg_id,
            DISK,
            json!({
                "name": disk_name,
                "location": vm.body.get("location").cloned().unwrap_or(Value::Null),
                "managedBy": vm.id,
                "properties": {
                    "osType": if vm.body.pointer("/properties/osProfile/windowsConfiguration").is_some() { "Windows" } else { "Linux" },
                    "creationData": {"createOption": "FromImage"},
                    "diskState": "Attached",
                    "provisioningState": "Succeeded",
                },
            }),
        );
    }
    if let Some(r) = st.store.get_mut(id) {
        if let Some(os) = r
            .body
            .pointer_mut("/properties/storageProfile/osDisk")
            .and_then(Value::as_object_mut)
        {
            os.insert("name".into(), json!(disk_name));
            let md = os.entry("managedDisk").or_insert_with(|| json!({}));
            if let Some(m) = md.as_object_mut() {
                m.insert("id".into(), json!(disk_id));
            }
        }
        if let Some(p) = r
            .body
            .pointer_mut("/properties")
            .and_then(Value::as_object_mut)
        {
            p.entry("vmId").or_insert_with(|| json!(util::new_guid()));
        }
    }
    for nic in nic_ids(&vm.body) {
        if let Some(n) = st.store.get_mut(&nic) {
            if let Some(p) = n
                .body
                .pointer_mut("/properties")
                .and_then(Value::as_object_mut)
            {
                p.insert("virtualMachine".into(), json!({"id": vm.id}));
            }
        }
    }
}

/// Checks of a DELETE of an existing NIC or disk: not while a VM holds it.
pub fn check_delete(st: &State, full_type: &str, id: &str) -> Result<(), Resp> {
    if full_type.eq_ignore_ascii_case(NIC) {
        if let Some(vm) = nic_holder(st, id, "") {
            return Err(bad(
                "NicInUse",
                format!("Network Interface {id} is used by existing resource {vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic."),
            ));
        }
    }
    if full_type.eq_ignore_ascii_case(DISK) {
        let k = key(id);
        let holder = st
            .store
            .filter(|r| {
                r.full_type.eq_ignore_ascii_case(VM)
                    && key(str_at(
                        &r.body,
                        "/properties/storageProfile/osDisk/managedDisk/id",
                    )) == k
            })
            .first()
            .map(|r| r.id.clone());
        if let Some(vm) = holder {
            return Err(arm_error(
                StatusCode::CONFLICT,
                "OperationNotAllowed",
                format!(
                    "Disk {} is attached to VM {vm}.",
                    id.rsplit('/').next().unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// VMs removed: their OS disk and NICs with `deleteOption: Delete` go too, other NICs are
/// freed.
pub fn release(st: &mut State, removed: &[Stored]) {
    for vm in removed
        .iter()
        .filter(|r| r.full_type.eq_ignore_ascii_case(VM))
    {
        let os = vm
            .body
            .pointer("/properties/storageProfile/osDisk")
            .cloned()
            .unwrap_or(Value::Null);
        if str_at(&os, "/deleteOption").eq_ignore_ascii_case("Delete") {
            st.store.remove_tree(str_at(&os, "/managedDisk/id"));
        } else if let Some(d) = st.store.get_mut(str_at(&os, "/managedDisk/id")) {
            if let Some(b) = d.body.as_object_mut() {
                b.remove("managedBy");
            }
            if let Some(p) = d
                .body
                .pointer_mut("/properties")
                .and_then(Value::as_object_mut)
            {
                p.insert("diskState".into(), json!("Unattached"));
            }
        }
        for n in arr(&vm.body, "/properties/networkProfile/networkInterfaces") {
            let nic = str_at(&n, "/id");
            if str_at(&n, "/properties/deleteOption").eq_ignore_ascii_case("Delete") {
                st.store.remove_tree(nic);
            } else if let Some(r) = st.store.get_mut(nic) {
                if let Some(p) = r
                    .body
                    .pointer_mut("/properties")
                    .and_then(Value::as_object_mut)
                {
                    p.remove("virtualMachine");
                }
            }
        }
    }
}
