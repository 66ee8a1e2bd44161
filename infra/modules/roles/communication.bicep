// Role assignments on a Communication Services resource, named guid(scope, principal, role).

@description('Name of the Communication Services resource the roles apply to.')
param communicationServiceName string

@description('Object (principal) id that gets the roles.')
param principalId string

@description('Kind of principal: ServicePrincipal for a managed identity.')
param principalType string = 'ServicePrincipal'

@description('Ids (GUIDs) of the built-in role definitions to assign.')
param roleDefinitionIds string[]

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleDefinitionId in roleDefinitionIds: {
    name: guid(communicationService.id, principalId, roleDefinitionId)
    scope: communicationService
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
      principalId: principalId
      principalType: principalType
    }
  }
]
