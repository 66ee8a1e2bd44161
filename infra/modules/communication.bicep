// E-mail: an Email Communication Service with an Azure-managed domain, linked to a Communication Services resource the app sends through.
// With customDomain, the service also gets that (customer-managed) domain; once it is verified (useCustomDomain) it is
// linked instead and the app sends from it. Communication Services connects verified domains only.

@description('Name of the Email Communication Service.')
param emailServiceName string

@description('Name of the Communication Services resource (globally unique: it names the endpoint host).')
param communicationServiceName string

@description('Where the e-mail data is stored at rest, for example United States, Europe, UK, Australia.')
param dataLocation string

@description('A domain you own to send from; empty: none. Created here, verified by you (its DNS records: customDomainDnsRecords).')
param customDomain string = ''

@description('True once customDomain is verified: link it and send from it instead of the Azure-managed domain.')
param useCustomDomain bool = false

@description('Tags for the resources.')
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

// Customer-managed: Azure gives the TXT, SPF, DKIM and DMARC records to add to your DNS (customDomainDnsRecords).
resource customerDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = if (!empty(customDomain)) {
  parent: emailService
  name: empty(customDomain) ? 'unused' : customDomain
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'CustomerManaged'
    userEngagementTracking: 'Disabled'
  }
}

// The sender the app uses on it (the Azure-managed domain has DoNotReply already); a PUT of an existing one is harmless.
resource customerDomainSender 'Microsoft.Communication/emailServices/domains/senderUsernames@2023-04-01' = if (!empty(customDomain)) {
  parent: customerDomain
  name: 'DoNotReply'
  properties: {
    username: 'DoNotReply'
    displayName: 'Readiness scanner'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      useCustomDomain ? customerDomain.id : managedDomain.id
    ]
  }
}

output communicationServiceName string = communicationService.name
output endpoint string = 'https://${communicationService.properties.hostName}'
// Both domains have the DoNotReply sender: the managed one by default, the custom one from customerDomainSender.
output senderAddress string = 'DoNotReply@${useCustomDomain ? customerDomain.properties.mailFromSenderDomain : managedDomain.properties.mailFromSenderDomain}'
output customDomainDnsRecords object = empty(customDomain) ? {} : customerDomain.properties.verificationRecords
