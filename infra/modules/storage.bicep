// Storage for the Functions host, the deployment package and the findings tables. Identity only: shared keys are off.

@description('Name of the storage account (3-24 lowercase letters and digits, globally unique).')
param name string

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags object = {}

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('The queue of scan batches (SCAN_QUEUE_NAME); the Functions host moves failed messages to <name>-poison.')
param scanQueueName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // no account keys, no SAS: every caller signs in with Microsoft Entra ID
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The batches of a scan, and where the queue trigger puts a batch that failed maxDequeueCount times (host.json).
resource scanQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in [scanQueueName, '${scanQueueName}-poison']: {
    parent: queueService
    name: queueName
  }
]

output name string = storage.name
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
// Built from the account name (no trailing slash), the form TABLES_ENDPOINT documents.
output tableEndpoint string = 'https://${storage.name}.table.${environment().suffixes.storage}'
// The queue service (SCAN_QUEUE_ENDPOINT), the same the host's AzureWebJobsStorage__queueServiceUri names.
output queueEndpoint string = 'https://${storage.name}.queue.${environment().suffixes.storage}'
