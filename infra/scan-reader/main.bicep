// Lets the scanner read what it scans: Reader for its managed identity at a management group (the tenant root group for
// a tenant-wide scan). Resource Graph only returns what the caller can read, so without this a scan finds nothing.
// Deployed apart from infra/main.bicep because it needs Microsoft.Authorization/roleAssignments/write at the management
// group (Owner or User Access Administrator there), which the person running azd up usually does not have:
//   az deployment mg create --management-group-id <group id> --location <region> \
//     --template-file infra/scan-reader/main.bicep --parameters principalId=<SCAN_IDENTITY_PRINCIPAL_ID>
targetScope = 'managementGroup'

@description('Object (principal) id of the managed identity the scanner runs as: the SCAN_IDENTITY_PRINCIPAL_ID output of infra/main.bicep (azd env get-value SCAN_IDENTITY_PRINCIPAL_ID).')
param principalId string

// Reader: read every resource, resource container and role assignment under the scope; write nothing.
var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, readerRoleId)
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Azure readiness scanner: read the resources it scans through Resource Graph.'
  }
}

output roleAssignmentId string = readerAssignment.id
