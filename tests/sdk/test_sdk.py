"""The emulator driven by Microsoft's Python SDKs through the flows the provider uses:
client-secret token, resource groups, vNet and subnet (long-running pollers), role
assignments, storage accounts, and the Data Lake data plane (filesystem, directory, ACL)."""

import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as netmodels
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.storage import models as stmodels
from azure.storage.filedatalake import DataLakeServiceClient

from conftest import ARM_SCOPE, mgmt

LOCATION = "westeurope"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


@pytest.fixture
def resources(emulator, credential):
    return mgmt(ResourceManagementClient, emulator, credential)


@pytest.fixture
def group(resources, name):
    rg = resources.resource_groups.create_or_update(name, {"location": LOCATION})
    yield rg.name
    resources.resource_groups.begin_delete(rg.name).result()


def test_client_secret_token(credential):
    token = credential.get_token(ARM_SCOPE)
    assert token.token.count(".") == 2
    assert token.expires_on > 0


def test_resource_group_create_get_delete(resources, name):
    created = resources.resource_groups.create_or_update(
        name, {"location": LOCATION, "tags": {"aifactory": "sdk"}}
    )
    assert created.name == name and created.location == LOCATION
    got = resources.resource_groups.get(name)
    assert got.tags == {"aifactory": "sdk"}
    assert got.properties.provisioning_state == "Succeeded"
    resources.resource_groups.begin_delete(name).result()
    assert not resources.resource_groups.check_existence(name)
    with pytest.raises(ResourceNotFoundError):
        resources.resource_groups.get(name)


def test_vnet_and_subnet_with_pollers(emulator, credential, group):
    net = mgmt(NetworkManagementClient, emulator, credential)
    space = netmodels.AddressSpace(address_prefixes=["10.30.0.0/16"])
    vnet = net.virtual_networks.begin_create_or_update(
        group,
        "vnet1",
        netmodels.VirtualNetwork(
            location=LOCATION,
            properties=netmodels.VirtualNetworkPropertiesFormat(address_space=space),
        ),
    ).result()
    assert vnet.properties.provisioning_state == "Succeeded"
    assert vnet.properties.address_space.address_prefixes == ["10.30.0.0/16"]
    subnet = net.subnets.begin_create_or_update(
        group,
        "vnet1",
        "snet1",
        netmodels.Subnet(
            properties=netmodels.SubnetPropertiesFormat(
                address_prefix="10.30.1.0/24", private_endpoint_network_policies="Disabled"
            )
        ),
    ).result()
    assert subnet.properties.provisioning_state == "Succeeded"
    assert subnet.properties.address_prefix == "10.30.1.0/24"
    got = net.virtual_networks.get(group, "vnet1")
    assert [s.name for s in got.properties.subnets] == ["snet1"]
    assert net.subnets.get(group, "vnet1", "snet1").id == subnet.id
    # Azure's own rule, through the SDK's error type.
    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_create_or_update(
            group,
            "vnet1",
            "outside",
            netmodels.Subnet(properties=netmodels.SubnetPropertiesFormat(address_prefix="10.31.0.0/24")),
        ).result()
    assert err.value.error.code == "NetcfgSubnetRangeOutsideVnet"


def test_role_assignment_create_list_delete(emulator, credential, group):
    auth = AuthorizationManagementClient(
        credential,
        emulator["subscription"],
        base_url=emulator["url"],
        credential_scopes=[ARM_SCOPE],
    )
    scope = f"/subscriptions/{emulator['subscription']}/resourceGroups/{group}"
    role = f"/subscriptions/{emulator['subscription']}/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    principal = str(uuid.uuid4())
    name = str(uuid.uuid4())
    created = auth.role_assignments.create(
        scope,
        name,
        {"role_definition_id": role, "principal_id": principal, "principal_type": "ServicePrincipal"},
    )
    assert created.name == name and created.principal_id == principal
    listed = [a.name for a in auth.role_assignments.list_for_scope(scope, filter="atScope()")]
    assert name in listed
    deleted = auth.role_assignments.delete(scope, name)
    assert deleted is None or deleted.name == name
    assert name not in [a.name for a in auth.role_assignments.list_for_scope(scope)]




def _create_account(storage, group, name):
    return storage.storage_accounts.begin_create(
        group,
        name,
        stmodels.StorageAccountCreateParameters(
            location=LOCATION,
            kind="StorageV2",
            sku=stmodels.Sku(name="Standard_LRS"),
            properties=stmodels.StorageAccountPropertiesCreateParameters(
                is_hns_enabled=True, minimum_tls_version="TLS1_2", allow_shared_key_access=False
            ),
        ),
    ).result()


def test_storage_account_create_and_get(emulator, credential, group, name):
    storage = mgmt(StorageManagementClient, emulator, credential)
    account = _create_account(storage, group, name)
    assert account.name == name
    assert account.properties.provisioning_state == "Succeeded"
    got = storage.storage_accounts.get_properties(group, name)
    assert got.properties.is_hns_enabled is True
    assert got.properties.primary_endpoints.dfs.startswith(emulator["url"])


def _account(emulator, credential, resources, group, name):
    """A Data Lake account, made the way `aifactory_arm_resource` makes one (a generic PUT
    by ID, which takes the emulator's 201), then read with the storage SDK."""
    storage = mgmt(StorageManagementClient, emulator, credential)
    account_id = (
        f"/subscriptions/{emulator['subscription']}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{name}"
    )
    body = {
        "location": LOCATION,
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS"},
        "properties": {"isHnsEnabled": True, "minimumTlsVersion": "TLS1_2"},
    }
    resources.resources.begin_create_or_update_by_id(account_id, body, api_version="2025-06-01").result()
    return storage, storage.storage_accounts.get_properties(group, name)


def _lake(emulator, credential, resources, group, name):
    storage, account = _account(emulator, credential, resources, group, name)
    dfs = account.properties.primary_endpoints.dfs
    return DataLakeServiceClient(dfs, credential=credential), storage


@pytest.mark.xfail(
    reason="the Data Lake SDK derives its Blob URL by replacing `.dfs.` with `.blob.` in the host; "
    "the emulator serves storage by path on one loopback port (no per-account host names), so "
    "the SDK's container PUT reaches the DFS endpoint, which refuses it as Azure's would",
    strict=True,
)
def test_datalake_filesystem_create(emulator, credential, resources, group, name):
    lake, _ = _lake(emulator, credential, resources, group, name)
    fs = lake.create_file_system("lake")
    assert fs.get_file_system_properties().name == "lake"


def test_blob_container_is_the_datalake_filesystem(emulator, credential, resources, group, name):
    """A container made through the Blob endpoint (the account's primaryEndpoints.blob) with
    the Blob SDK is the filesystem the Data Lake SDK then works in."""
    from azure.storage.blob import BlobServiceClient

    lake, storage = _lake(emulator, credential, resources, group, name)
    account = storage.storage_accounts.get_properties(group, name)
    blob = BlobServiceClient(account.properties.primary_endpoints.blob, credential=credential)
    blob.create_container("lake")
    assert "lake" in [c.name for c in blob.list_containers()]
    directory = lake.get_file_system_client("lake").create_directory("projects")
    assert directory.get_directory_properties().name == "projects"
    blob.delete_container("lake")


def test_datalake_directory_and_acl(emulator, credential, resources, group, name):
    lake, storage = _lake(emulator, credential, resources, group, name)
    # The filesystem the provider's users create through ARM (a blob container).
    storage.blob_containers.create(group, name, "lake", stmodels.BlobContainer())
    fs = lake.get_file_system_client("lake")
    directory = fs.create_directory("projects/p001")
    assert directory.get_directory_properties().name == "projects/p001"
    acl = "user::rwx,group::r-x,other::--x"
    directory.set_access_control(acl=acl)
    got = directory.get_access_control()
    assert got["acl"] == acl
    assert got["owner"]
