// Role assignments on an Application Insights component, named guid(scope, principal, role).

@description('Name of the Application Insights component the roles apply to.')
param applicationInsightsName string

@description('Object (principal) id that gets the roles.')
param principalId string

@description('Kind of principal: ServicePrincipal for a managed identity.')
param principalType string = 'ServicePrincipal'

@description('Ids (GUIDs) of the built-in role definitions to assign.')
param roleDefinitionIds string[]

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleDefinitionId in roleDefinitionIds: {
    name: guid(applicationInsights.id, principalId, roleDefinitionId)
    scope: applicationInsights
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
      principalId: principalId
      principalType: principalType
    }
  }
]
