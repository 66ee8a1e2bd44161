// The Function App's app settings: the platform's identity-based connections plus the app's own settings from main.bicep.
// Nothing here is a key: storage and telemetry use the managed identity, and the storage account has no usable keys.
// Flex Consumption refuses FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE as app
// settings (the runtime is functionAppConfig.runtime), so they are not set.

@description('Name of the Function App.')
param functionAppName string

@description('Name of the storage account the Functions host uses (AzureWebJobsStorage).')
param storageAccountName string

@description('Client id of the user-assigned identity the app runs as.')
param identityClientId string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('The settings the app reads, one entry per key of SETTINGS in src/config.ts (readinessSettings in main.bicep).')
param readinessSettings object

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Settings the Functions host and the Azure SDKs read; test/infra/settings.test.ts allows exactly these names besides SETTINGS.
var platformSettings = {
  // The host's storage by service URI, built from this cloud's storage suffix: __accountName would make the host
  // build core.windows.net URLs, wrong in sovereign clouds. Roles (main.bicep): Storage Blob Data Owner covers the
  // host (keys, timer locks); Storage Table Data Contributor covers its diagnostic events; the queue URI is where the
  // scan batch queue trigger (connection AzureWebJobsStorage) reads, with Storage Queue Data Contributor.
  AzureWebJobsStorage__blobServiceUri: 'https://${storageAccountName}.blob.${environment().suffixes.storage}'
  AzureWebJobsStorage__queueServiceUri: 'https://${storageAccountName}.queue.${environment().suffixes.storage}'
  AzureWebJobsStorage__tableServiceUri: 'https://${storageAccountName}.table.${environment().suffixes.storage}'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // DefaultAzureCredential picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identityClientId
  // Says where to send telemetry; the instrumentation key in it is an identifier, not a credential, since local auth is off.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  // Makes the host sign its telemetry with the identity's token (Monitoring Metrics Publisher).
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // App Service Authentication (sign-in.bicep) proves the app registration with this identity instead of a secret.
  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identityClientId
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(platformSettings, readinessSettings)
}
