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
// The regions Microsoft's own Flex Consumption azd templates allow (Azure-Samples/functions-quickstart-typescript-azd,
// infra/main.bicep at cba392291ff7b6c994548aabaa8c06eb4055be54); azd's location prompt offers only these.
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'eastus2euap'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
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

@description('SCAN_QUEUE_NAME: the queue that carries a scan\'s batches to the queue-triggered worker (its poison queue is <name>-poison).')
@minLength(3)
@maxLength(56)
param scanQueueName string = 'readiness-scan-batches'

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

@description('PLATFORM_CONTACT: the one address owners ask for exemptions (a mailto link in the digests and on the dashboard). Empty: the first of DIGEST_DEFAULT_RECIPIENTS.')
param platformContact string = ''

@description('OPERATOR_RECIPIENTS: who hears about failing or stale scans, comma-separated e-mail addresses.')
param operatorRecipients string = ''

@description('EMAIL_ALLOWED_DOMAINS: the only domains owners are mailed in, comma-separated. Empty: the domains of the recipients above (the app refuses to start with neither).')
param emailAllowedDomains string = ''

// The domains of DIGEST_DEFAULT_RECIPIENTS and OPERATOR_RECIPIENTS, the default of EMAIL_ALLOWED_DOMAINS.
var recipientDomains = join(union(map(filter(split('${digestDefaultRecipients},${operatorRecipients}', ','), r => contains(r, '@')), r => toLower(trim(last(split(r, '@'))))), []), ',')

@description('APP_SERVICE_AUTHENTICATION: people sign in with Microsoft Entra ID (an app registration and App Service Authentication are created: infra/modules/sign-in.bicep); the dashboard then needs no key. false: every route but health and the rule docs needs a function key.')
param appServiceAuthentication bool = true

@description('PLATFORM_TEAM_APP_ROLE: the app role (created on the app registration) whose holders see every owner and manage exemptions and contacts.')
param platformTeamAppRole string = 'Readiness.Platform'

@description('PLATFORM_TEAM_GROUP_ID: object id of an Entra ID security group that counts as the platform team as well (optional).')
param platformTeamGroupId string = ''

@description('CONTINUATION_TOKEN_KEY: signs the findings API continuation tokens; a new random key each deployment (old tokens then get a 400).')
@secure()
param continuationTokenKey string = newGuid()

@description('A domain you own to send from (e.g. mail.contoso.com). Empty: an Azure-managed <guid>.azurecomm.net domain. The template creates it; it is used once verified (emailCustomDomainVerified, README "E-mail limits and a custom domain").')
param emailCustomDomain string = ''

@description('Set to true once emailCustomDomain is verified (its DNS records in place): the app then sends from it, with its higher limits.')
param emailCustomDomainVerified bool = false

// Communication Services sending limits per subscription (learn.microsoft.com/azure/communication-services/concepts/
// service-limits, "Rate limits for email"): Azure-managed domains 5 a minute and 10 an hour (not raisable), custom
// domains 30 a minute and 100 an hour (raisable by a support request). The defaults follow the domain in use.
@description('EMAIL_MAX_PER_MINUTE: digests sent per minute at most. Default: 5 with the Azure-managed domain, 30 with a verified custom domain.')
@minValue(1)
@maxValue(10000)
param emailMaxPerMinute int = empty(emailCustomDomain) || !emailCustomDomainVerified ? 5 : 30

@description('EMAIL_MAX_PER_HOUR: digests sent per hour at most; the rest go next run. Default: 10 with the Azure-managed domain, 100 with a verified custom domain.')
@minValue(1)
@maxValue(100000)
param emailMaxPerHour int = empty(emailCustomDomain) || !emailCustomDomainVerified ? 10 : 100

@description('Where Communication Services stores e-mail data at rest (United States, Europe, UK, Australia, ...).')
param emailDataLocation string = 'United States'

// ---------------------------------------------------------------------------------------------------------------
// Alerts

// Set by the preprovision hook infra/hooks/alert-window.mjs from SCAN_SCHEDULE; the defaults fit the default schedule.
// Scheduled query rules accept only these minutes (azure-rest-api-specs#21258); anything else is refused here.
@description('Window of the "scanner silent" alert, in minutes: the smallest accepted one of at least two scan intervals.')
@allowed([5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880])
param scanSilenceWindowMinutes int = 1440

@description('How often the "scanner silent" alert runs, in minutes.')
@allowed([5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880])
param scanSilenceFrequencyMinutes int = 60

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
// OPERATOR_RECIPIENTS split like the app splits it: on commas and semicolons, each address trimmed, empties dropped.
var operatorEmailList = filter(map(split(replace(operatorRecipients, ';', ','), ','), address => trim(address)), address => !empty(address))

// Built-in role definition ids (the same in every tenant).
var roles = {
  // AzureWebJobsStorage__blobServiceUri (host keys, timer locks) and functionAppConfig.deployment (the package).
  // Microsoft documents Blob Data Owner as all the host needs for timers and HTTP; the queue trigger needs the queue
  // role below (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#grant-permission-to-the-identity).
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // TABLES_ENDPOINT: the findings tables (create tables, read and write entities); also lets the host keep its
  // diagnostic events through AzureWebJobsStorage__tableServiceUri.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // SCAN_QUEUE_ENDPOINT and AzureWebJobsStorage__queueServiceUri: the app enqueues a scan's batches, and the host's
  // queue trigger reads, hides, deletes them and moves failed ones to the poison queue (read, add, process, delete).
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // The person deploying: browse the findings, change nothing.
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  // APPLICATIONINSIGHTS_AUTHENTICATION_STRING: telemetry ingestion with a Microsoft Entra token (local auth is off).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // COMMUNICATION_SERVICES_ENDPOINT: sending e-mail with the identity's Microsoft Entra token. Kept built-in on purpose,
  // although it also grants the listKeys action, which the app never needs (it sends with the token; no key is read):
  // - Microsoft documents the custom-role minimum (CommunicationServices/Read and /Write, EmailServices/write) for SMTP
  //   authentication only; for the REST send the app uses it documents Contributor or this role, and the question of
  //   the minimum is open (MicrosoftDocs/azure-docs#109461). A guessed custom role could leave the app unable to mail.
  // - Creating a custom role needs Microsoft.Authorization/roleDefinitions/write, which the deployer README documents
  //   (Contributor plus Role Based Access Control Administrator) does not have.
  // It is assigned on this one Communication Services resource only, not on the resource group.
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
    scanQueueName: scanQueueName
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
    operatorEmails: operatorEmailList
    silenceWindowMinutes: scanSilenceWindowMinutes
    silenceFrequencyMinutes: scanSilenceFrequencyMinutes
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
    customDomain: emailCustomDomain
    useCustomDomain: !empty(emailCustomDomain) && emailCustomDomainVerified
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
      roles.storageTableDataContributor
      roles.storageQueueDataContributor
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

// Sign-in for people (before the app settings that say APP_SERVICE_AUTHENTICATION=true: the app refuses that setting
// while App Service Authentication is off).
module signIn 'modules/sign-in.bicep' = if (appServiceAuthentication) {
  name: 'sign-in'
  scope: rg
  params: {
    functionAppName: functionApp.outputs.name
    defaultHostName: functionApp.outputs.defaultHostName
    identityPrincipalId: identity.outputs.principalId
    registrationName: 'readiness-${resourceToken}'
    displayName: 'Readiness scanner (${environmentName})'
    platformTeamAppRole: platformTeamAppRole
  }
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
  SCAN_QUEUE_NAME: scanQueueName
  SCAN_QUEUE_ENDPOINT: storage.outputs.queueEndpoint
  SCAN_QUEUE_CONNECTION_STRING: '' // Azure uses the identity-based SCAN_QUEUE_ENDPOINT
  SCAN_QUEUE_CA_FILE: '' // local emulator only
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
  PLATFORM_CONTACT: platformContact
  RETIREMENT_FEED: retirementFeed
  RESOURCE_GRAPH_ENDPOINT_TRUSTED: 'false' // tokens go only to the known clouds' Resource Manager endpoints
  EMAIL_ALLOWED_DOMAINS: empty(emailAllowedDomains) ? recipientDomains : emailAllowedDomains
  APP_SERVICE_AUTHENTICATION: string(appServiceAuthentication)
  PLATFORM_TEAM_GROUP_ID: platformTeamGroupId
  PLATFORM_TEAM_APP_ROLE: platformTeamAppRole
  CONTINUATION_TOKEN_KEY: continuationTokenKey
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
    signIn
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
// The DNS records that verify emailCustomDomain (empty without one): README "E-mail limits and a custom domain".
output EMAIL_CUSTOM_DOMAIN_DNS_RECORDS object = communication.outputs.customDomainDnsRecords
output SIGN_IN_CLIENT_ID string = appServiceAuthentication ? signIn!.outputs.clientId : ''
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
