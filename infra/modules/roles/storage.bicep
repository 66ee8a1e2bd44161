// Role assignments on a storage account, one per role, each named guid(scope, principal, role) so a redeploy finds it again.

@description('Name of the storage account the roles apply to.')
param storageAccountName string

@description('Object (principal) id that gets the roles.')
param principalId string

@description('Kind of principal: ServicePrincipal for a managed identity. Empty lets Azure work it out.')
param principalType string = 'ServicePrincipal'

@description('Ids (GUIDs) of the built-in role definitions to assign.')
param roleDefinitionIds string[]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleDefinitionId in roleDefinitionIds: {
    name: guid(storage.id, principalId, roleDefinitionId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
      principalId: principalId
      principalType: empty(principalType) ? null : principalType
    }
  }
]
