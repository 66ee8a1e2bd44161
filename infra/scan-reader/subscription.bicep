// The same as main.bicep scoped down to one subscription: Reader for the scanner's managed identity on the subscription
// it is deployed to. Deploy it once per subscription to scan, then set SCAN_SCOPE=subscriptions and SCAN_SUBSCRIPTIONS:
//   az deployment sub create --subscription <subscription id> --location <region> \
//     --template-file infra/scan-reader/subscription.bicep --parameters principalId=<SCAN_IDENTITY_PRINCIPAL_ID>
// Needs Microsoft.Authorization/roleAssignments/write on that subscription (Owner or User Access Administrator).
targetScope = 'subscription'

@description('Object (principal) id of the managed identity the scanner runs as: the SCAN_IDENTITY_PRINCIPAL_ID output of infra/main.bicep (azd env get-value SCAN_IDENTITY_PRINCIPAL_ID).')
param principalId string

// Reader: read every resource and role assignment in the subscription; write nothing.
var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, readerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Azure readiness scanner: read the resources it scans through Resource Graph.'
  }
}

output roleAssignmentId string = readerAssignment.id
