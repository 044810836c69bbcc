//! Virtual machines and network interfaces in the emulator (Compute 2025-04-01, Network
//! 2024-05-01, long-running): Compute's required fields and SSH rule, NICs on existing
//! subnets attached to one VM, the OS disk made with the VM and deleted with it
//! (`deleteOption: Delete`), the NIC and subnet held while in use. Owns these cases only.

use super::*;

const VM_API: &str = "api-version=2025-04-01";

fn res(rel: &str) -> String {
    format!("{}/providers/{rel}", rg("vm"))
}

fn nic(subnet: &str) -> serde_json::Value {
    json!({"location": "westeurope", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
        "subnet": {"id": res(&format!("Microsoft.Network/virtualNetworks/net/subnets/{subnet}"))}}}]}})
}

/// A valid Linux jump host body on NIC `nic`; `edit` changes it.
fn vm(nic: &str, edit: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
    let mut v = json!({"location": "westeurope", "identity": {"type": "SystemAssigned"}, "properties": {
        "hardwareProfile": {"vmSize": "Standard_B2s"},
        "storageProfile": {
            "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
            "osDisk": {"createOption": "FromImage", "deleteOption": "Delete", "managedDisk": {"storageAccountType": "StandardSSD_LRS"}}},
        "osProfile": {"computerName": "jump", "adminUsername": "azureuser", "linuxConfiguration": {
            "disablePasswordAuthentication": true,
            "ssh": {"publicKeys": [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOk test"}]}}},
        "networkProfile": {"networkInterfaces": [{"id": res(&format!("Microsoft.Network/networkInterfaces/{nic}"))}]}}});
    edit(&mut v);
    v
}

#[tokio::test]
async fn virtual_machines_and_nics() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "vm").await;
    let net = |rel: &str| format!("{}?{API}", res(&format!("Microsoft.Network/{rel}")));
    let vms = |name: &str| {
        format!(
            "{}?{VM_API}",
            res(&format!("Microsoft.Compute/virtualMachines/{name}"))
        )
    };
    let p = |v: &mut serde_json::Value, ptr: &str| {
        let (parent, leaf) = ptr.rsplit_once('/').unwrap();
        v.pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(leaf);
    };
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vNet", "PUT", net("virtualNetworks/net"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                    {"name": "common", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})),
            arm_case("NIC in a missing subnet", "PUT", net("networkInterfaces/nic"), 400, "InvalidResourceReference").with_body(nic("nope")),
            arm_case("NIC", "PUT", net("networkInterfaces/nic"), 201, "").with_body(nic("common")).expect_header("azure-asyncoperation"),
            arm_case("NIC 2", "PUT", net("networkInterfaces/nic2"), 201, "").with_body(nic("common")),
            arm_case("VM without size", "PUT", vms("vm"), 400, "InvalidParameter")
                .with_body(vm("nic", |v| p(v, "/properties/hardwareProfile/vmSize")))
                .message_contains("Required parameter 'hardwareProfile.vmSize' is missing"),
            arm_case("VM without image", "PUT", vms("vm"), 400, "InvalidParameter")
                .with_body(vm("nic", |v| p(v, "/properties/storageProfile/imageReference"))),
            arm_case("VM without createOption", "PUT", vms("vm"), 400, "InvalidParameter")
                .with_body(vm("nic", |v| p(v, "/properties/storageProfile/osDisk/createOption"))),
            arm_case("VM without computer name", "PUT", vms("vm"), 400, "InvalidParameter")
                .with_body(vm("nic", |v| p(v, "/properties/osProfile/computerName"))),
            arm_case("VM without admin", "PUT", vms("vm"), 400, "InvalidParameter")
                .with_body(vm("nic", |v| p(v, "/properties/osProfile/adminUsername"))),
            arm_case("VM with admin root", "PUT", vms("vm"), 400, "InvalidParameter")
                .with_body(vm("nic", |v| v["properties"]["osProfile"]["adminUsername"] = json!("root")))
                .message_contains("The Admin Username specified is not allowed."),
            arm_case("VM without SSH key", "PUT", vms("vm"), 400, "InvalidParameter")
                .with_body(vm("nic", |v| p(v, "/properties/osProfile/linuxConfiguration/ssh")))
                .message_contains("Authentication using either SSH or by user name and password must be enabled in Linux profile."),
            arm_case("VM on a missing NIC", "PUT", vms("vm"), 400, "InvalidParameter").with_body(vm("nope", |_| {})),
            arm_case("VM size as number", "PUT", vms("vm"), 400, "InvalidRequestContent")
                .with_body(vm("nic", |v| v["properties"]["hardwareProfile"]["vmSize"] = json!(2))),
            arm_case("VM", "PUT", vms("vm"), 201, "").with_body(vm("nic", |_| {})).expect_header("azure-asyncoperation"),
            arm_case("VM replace", "PUT", vms("vm"), 200, "").with_body(vm("nic", |_| {})),
            arm_case("VM with another key", "PUT", vms("vm"), 409, "PropertyChangeNotAllowed")
                .with_body(vm("nic", |v| v["properties"]["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"][0]["keyData"] = json!("ssh-ed25519 AAAAother")))
                .message_contains("Changing property 'linuxConfiguration.ssh.publicKeys' is not allowed."),
            arm_case("second VM on the same NIC", "PUT", vms("vm2"), 400, "NicInUse").with_body(vm("nic", |_| {})),
            arm_case("the NIC is held", "DELETE", net("networkInterfaces/nic"), 400, "NicInUse"),
            arm_case("the subnet is held", "DELETE", net("virtualNetworks/net/subnets/common"), 400, "InUseSubnetCannotBeDeleted"),
        ],
    )
    .await;
    // The VM names its OS disk; the NIC names the VM.
    let got = c.arm(&tok, "GET", &vms("vm"), None).await.json();
    let disk = got["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        disk.contains("/providers/Microsoft.Compute/disks/vm_OsDisk_1_"),
        "{disk}"
    );
    assert!(got["identity"]["principalId"].is_string(), "{got}");
    let n = c
        .arm(&tok, "GET", &net("networkInterfaces/nic"), None)
        .await
        .json();
    assert!(
        n["properties"]["virtualMachine"]["id"]
            .as_str()
            .unwrap()
            .ends_with("/virtualMachines/vm"),
        "{n}"
    );
    let disk_at = format!("{disk}?api-version=2025-01-02");
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("OS disk exists", "GET", &disk_at, 200, ""),
            arm_case(
                "OS disk held",
                "DELETE",
                &disk_at,
                409,
                "OperationNotAllowed",
            ),
            arm_case("VM delete", "DELETE", vms("vm"), 202, ""),
            arm_case("VM gone", "DELETE", vms("vm"), 204, ""),
            arm_case(
                "its OS disk went with it",
                "GET",
                &disk_at,
                404,
                "ResourceNotFound",
            ),
            arm_case(
                "the NIC is free",
                "DELETE",
                net("networkInterfaces/nic"),
                202,
                "",
            ),
        ],
    )
    .await;
    // deleteOption Detach keeps the disk.
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("VM keeping its disk", "PUT", vms("keep"), 201, "").with_body(vm(
                "nic2",
                |v| {
                    v["properties"]["storageProfile"]["osDisk"]["deleteOption"] = json!("Detach");
                    v["properties"]["storageProfile"]["osDisk"]["name"] = json!("osdisk-keep");
                },
            )),
        ],
    )
    .await;
    let keep_disk = format!(
        "{}?api-version=2025-01-02",
        res("Microsoft.Compute/disks/osdisk-keep")
    );
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("VM delete", "DELETE", vms("keep"), 202, ""),
            arm_case("the detached disk stays", "GET", &keep_disk, 200, ""),
            arm_case("and can be deleted", "DELETE", &keep_disk, 200, ""),
        ],
    )
    .await;
    drop(emu);
}
