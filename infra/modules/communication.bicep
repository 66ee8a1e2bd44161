// E-mail: an Email Communication Service with an Azure-managed domain, linked to a Communication Services resource the app sends through.

@description('Name of the Email Communication Service.')
param emailServiceName string

@description('Name of the Communication Services resource (globally unique: it names the endpoint host).')
param communicationServiceName string

@description('Where the e-mail data is stored at rest, for example United States, Europe, UK, Australia.')
param dataLocation string

@description('Tags for the three resources.')
param tags object = {}

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

// Azure-managed: a <guid>.azurecomm.net domain with SPF and DKIM already set up, nothing to verify in DNS.
// Its sending limits are low; for production volumes add a verified custom domain.
resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled' // no tracking pixels or rewritten links in the digests
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      managedDomain.id
    ]
  }
}

output communicationServiceName string = communicationService.name
output endpoint string = 'https://${communicationService.properties.hostName}'
// The managed domain comes with the DoNotReply sender.
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
