// The scanner's user-assigned managed identity: the one identity it uses for storage, e-mail, telemetry and Resource Graph.
// User-assigned rather than system-assigned so every role assignment can be made before the app exists.

@description('Name of the identity.')
param name string

@description('Region of the identity.')
param location string

@description('Tags for the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
