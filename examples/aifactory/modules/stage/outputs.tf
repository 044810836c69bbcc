output "summary" {
  description = "What this stage holds, for the demo's report."
  value = {
    environment     = var.environment
    virtual_network = aifactory_common.stage.virtual_network_id
    common_subnets  = aifactory_common.stage.subnet_cidrs
    common          = length(aifactory_common.stage.resources)
    projects = {
      for k, p in aifactory_project.project : k => {
        resource_group = p.resource_group_name
        # try(): while one allocation is being imported, Terraform 1.0 evaluates this
        # output without it.
        subnets          = try(aifactory_subnet_allocation.project[k].cidrs, null)
        resources        = length(p.resources)
        role_assignments = length([for key, r in p.resources : key if r.type == "Microsoft.Authorization/roleAssignments"])
        acl_entries      = length([for key, r in p.resources : key if r.type == "dfs/acl"])
        datalake_path    = p.datalake_path
      }
    }
  }
}
