// Deploys the readiness scanner (azd up): a resource group holding a Flex Consumption Function App that runs as a
// user-assigned identity, identity-only storage, Communication Services e-mail and Application Insights.
// Reading the tenant is a separate, privileged step: infra/scan-reader/ (see README "Deploy to Azure").
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------------------------
// Environment

@minLength(1)
@maxLength(64)
@description('Name of the azd environment. Names the resource group (rg-<name>) and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region for the resources. It must offer the Flex Consumption plan: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of whoever deploys (azd passes AZURE_PRINCIPAL_ID). Gets Storage Table Data Reader to browse the findings tables; nothing else. Empty: no access.')
param principalId string = ''

@description('Name of the resource group. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

// ---------------------------------------------------------------------------------------------------------------
// Scanning (the app settings of the same names in UPPER_CASE; see README "Configuration")

@description('SCAN_SCHEDULE: NCRONTAB with seconds, UTC, of the scan timer. Default every 6 hours.')
param scanSchedule string = '0 0 */6 * * *'

@description('DIGEST_SCHEDULE: NCRONTAB with seconds, UTC, of the e-mail digest timer. Default 07:30 daily.')
param digestSchedule string = '0 30 7 * * *'

@description('SCAN_SCOPE: what to scan. tenant needs Reader at the tenant root group; managementGroups and subscriptions need Reader there (infra/scan-reader/).')
@allowed([
  'tenant'
  'managementGroups'
  'subscriptions'
])
param scanScope string = 'tenant'

@description('SCAN_MANAGEMENT_GROUPS: management group ids, comma-separated, when scanScope is managementGroups.')
param scanManagementGroups string = ''

@description('SCAN_SUBSCRIPTIONS: subscription ids, comma-separated, when scanScope is subscriptions.')
param scanSubscriptions string = ''

@description('SCAN_EXCLUDE_SUBSCRIPTIONS: subscription ids left out of every scan, comma-separated.')
param scanExcludeSubscriptions string = ''

@description('SCAN_EXCLUDE_RESOURCE_GROUPS: resource group names left out of every scan, comma-separated.')
param scanExcludeResourceGroups string = ''

@description('SCAN_EXCLUDE_TYPES: resource types left out of every scan, comma-separated.')
param scanExcludeTypes string = ''

@description('SCAN_EXCLUDE_TAGS: resources with any of these tags are left out, comma-separated key=value (e.g. env=sandbox).')
param scanExcludeTags string = ''

@description('RESOURCE_GRAPH_ENDPOINT: the Azure Resource Manager endpoint of this cloud.')
param resourceGraphEndpoint string = environment().resourceManager

@description('RESOURCE_GRAPH_BATCH_SIZE: subscriptions per Resource Graph request for an explicit list.')
@minValue(1)
@maxValue(1000)
param resourceGraphBatchSize int = 300

@description('RESOURCE_GRAPH_PAGE_SIZE: rows per Resource Graph page.')
@minValue(1)
@maxValue(1000)
param resourceGraphPageSize int = 1000

@description('RESOURCE_GRAPH_PAGE_TIMEOUT_SECONDS: a page that does not answer in time is retried.')
@minValue(1)
@maxValue(600)
param resourceGraphPageTimeoutSeconds int = 60

@description('TABLE_PREFIX: prefix of the table names (letters and digits, starting with a letter).')
@minLength(1)
@maxLength(40)
param tablePrefix string = 'readiness'

@description('OWNER_TAGS: tag names that name an owner, comma-separated (matched case-insensitively).')
param ownerTags string = 'owner,Owner,OwnerEmail,contact,createdBy'

@description('DEADLINE_THRESHOLDS_DAYS: the due-N urgency stages, four increasing numbers of days.')
param deadlineThresholdsDays string = '7,30,90,180'

@description('RETENTION_DAYS: how long resolved findings are kept.')
@minValue(1)
@maxValue(3650)
param retentionDays int = 180

@description('COVERAGE_DROP_FRACTION: share (0-1) of previously scanned subscriptions that may vanish before a scan keeps their findings and reports partial coverage.')
param coverageDropFraction string = '0.2'

@description('EXEMPTION_MAX_DAYS: the furthest an exemption may expire, in days from its creation.')
@minValue(1)
@maxValue(3650)
param exemptionMaxDays int = 180

@description('SCAN_LEASE_SECONDS: the lease that keeps one scan at a time (renewed while a scan runs).')
@minValue(30)
@maxValue(86400)
param scanLeaseSeconds int = 900

@description('RETIREMENT_FEED: URL of a retirement feed in the official format that overrides the built-in dates. Empty: built-in dates.')
param retirementFeed string = ''

// ---------------------------------------------------------------------------------------------------------------
// E-mail

@description('DIGEST_DEFAULT_RECIPIENTS: who gets the findings that have no owner, comma-separated e-mail addresses.')
param digestDefaultRecipients string = ''

@description('OPERATOR_RECIPIENTS: who hears about failing or stale scans, comma-separated e-mail addresses.')
param operatorRecipients string = ''

@description('EMAIL_MAX_PER_MINUTE: digests sent per minute at most (Communication Services allows 30 by default).')
@minValue(1)
@maxValue(10000)
param emailMaxPerMinute int = 30

@description('EMAIL_MAX_PER_HOUR: digests sent per hour at most (Communication Services allows 100 by default); the rest go next run.')
@minValue(1)
@maxValue(100000)
param emailMaxPerHour int = 100

@description('Where Communication Services stores e-mail data at rest (United States, Europe, UK, Australia, ...).')
param emailDataLocation string = 'United States'

// ---------------------------------------------------------------------------------------------------------------
// Hosting

@description('Most instances the Flex Consumption plan may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// ---------------------------------------------------------------------------------------------------------------

var tags = {
  'azd-env-name': environmentName
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

// Built-in role definition ids (the same in every tenant).
var roles = {
  // Host storage: keys, timer locks and the deployment package.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Host storage: listed with Blob Data Owner for an identity-based AzureWebJobsStorage (the host's queue-backed features).
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // The findings tables: create tables, read and write entities.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // The person deploying: browse the findings, change nothing.
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  // Telemetry ingestion with a Microsoft Entra token (Application Insights local auth is off).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Sending e-mail with a Microsoft Entra token needs Microsoft.Communication/CommunicationServices/Read and /Write and
  // Microsoft.Communication/EmailServices/write on the Communication Services resource. Microsoft documents two ways:
  // Contributor, or the built-in "Communication and Email Service Owner". The latter is narrower (Communication
  // resources only, no other ARM rights), and it is assigned on this one resource only. A custom role with just those
  // three actions would be narrower still, but needs roleDefinitions/write on the subscription to create.
  communicationAndEmailServiceOwner: '09976791-48a7-449e-bb21-39d1a415f350'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

// Alert rules on failed scans and on a scanner gone silent (README "Operating it").
module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    location: location
    operatorEmails: empty(operatorRecipients) ? [] : split(replace(operatorRecipients, ';', ','), ',')
    tags: tags
  }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  scope: rg
  params: {
    emailServiceName: 'email-${resourceToken}'
    communicationServiceName: 'acs-${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
  }
}

module storageRoles 'modules/roles/storage.bicep' = {
  name: 'storage-roles'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      roles.storageBlobDataOwner
      roles.storageQueueDataContributor
      roles.storageTableDataContributor
    ]
  }
}

module developerStorageRoles 'modules/roles/storage.bicep' = if (!empty(principalId)) {
  name: 'developer-storage-roles'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    principalId: principalId
    principalType: '' // a user locally, a service principal in a pipeline
    roleDefinitionIds: [
      roles.storageTableDataReader
    ]
  }
}

module monitoringRoles 'modules/roles/application-insights.bicep' = {
  name: 'monitoring-roles'
  scope: rg
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      roles.monitoringMetricsPublisher
    ]
  }
}

module communicationRoles 'modules/roles/communication.bicep' = {
  name: 'communication-roles'
  scope: rg
  params: {
    communicationServiceName: communication.outputs.communicationServiceName
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      roles.communicationAndEmailServiceOwner
    ]
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    planName: 'plan-${resourceToken}'
    name: 'func-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  dependsOn: [
    storageRoles // the host reads its deployment package and AzureWebJobsStorage with the identity
  ]
}

// Every setting the app reads: exactly the keys of SETTINGS in src/config.ts (test/infra/settings.test.ts checks it).
// Connection strings stay empty in Azure: tables and e-mail are reached through their endpoints with the identity.
var readinessSettings = {
  SCAN_SCHEDULE: scanSchedule
  DIGEST_SCHEDULE: digestSchedule
  SCAN_SCOPE: scanScope
  SCAN_MANAGEMENT_GROUPS: scanManagementGroups
  SCAN_SUBSCRIPTIONS: scanSubscriptions
  SCAN_EXCLUDE_SUBSCRIPTIONS: scanExcludeSubscriptions
  SCAN_EXCLUDE_RESOURCE_GROUPS: scanExcludeResourceGroups
  SCAN_EXCLUDE_TYPES: scanExcludeTypes
  SCAN_EXCLUDE_TAGS: scanExcludeTags
  RESOURCE_GRAPH_ENDPOINT: resourceGraphEndpoint
  RESOURCE_GRAPH_CA_FILE: '' // local emulator only
  RESOURCE_GRAPH_BATCH_SIZE: string(resourceGraphBatchSize)
  RESOURCE_GRAPH_PAGE_SIZE: string(resourceGraphPageSize)
  RESOURCE_GRAPH_PAGE_TIMEOUT_SECONDS: string(resourceGraphPageTimeoutSeconds)
  CREDENTIAL_MODE: 'default' // DefaultAzureCredential: the managed identity named by AZURE_CLIENT_ID
  TABLES_CONNECTION_STRING: '' // Azure uses the identity-based TABLES_ENDPOINT
  TABLES_ENDPOINT: storage.outputs.tableEndpoint
  TABLES_CA_FILE: '' // local emulator only
  TABLE_PREFIX: tablePrefix
  COMMUNICATION_SERVICES_ENDPOINT: communication.outputs.endpoint
  COMMUNICATION_SERVICES_CONNECTION_STRING: '' // Azure uses the identity-based COMMUNICATION_SERVICES_ENDPOINT
  COMMUNICATION_SERVICES_CA_FILE: '' // local emulator only
  EMAIL_SENDER: communication.outputs.senderAddress
  DIGEST_DEFAULT_RECIPIENTS: digestDefaultRecipients
  OPERATOR_RECIPIENTS: operatorRecipients
  EMAIL_MAX_PER_MINUTE: string(emailMaxPerMinute)
  EMAIL_MAX_PER_HOUR: string(emailMaxPerHour)
  OWNER_TAGS: ownerTags
  DEADLINE_THRESHOLDS_DAYS: deadlineThresholdsDays
  RETENTION_DAYS: string(retentionDays)
  COVERAGE_DROP_FRACTION: coverageDropFraction
  EXEMPTION_MAX_DAYS: string(exemptionMaxDays)
  SCAN_LEASE_SECONDS: string(scanLeaseSeconds)
  DASHBOARD_URL: 'https://${functionApp.outputs.defaultHostName}/api/dashboard'
  RETIREMENT_FEED: retirementFeed
}

module functionAppSettings 'modules/function-app-settings.bicep' = {
  name: 'function-app-settings'
  scope: rg
  params: {
    functionAppName: functionApp.outputs.name
    storageAccountName: storage.outputs.name
    identityClientId: identity.outputs.clientId
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    readinessSettings: readinessSettings
  }
  dependsOn: [
    monitoringRoles
    communicationRoles
  ]
}

// azd keeps these in .azure/<environment>/.env (azd env get-value NAME).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
// Pass this to infra/scan-reader/ so the identity can read what it scans.
output SCAN_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output SCAN_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output EMAIL_SENDER string = communication.outputs.senderAddress
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
