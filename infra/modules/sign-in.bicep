// Sign-in for people: a Microsoft Entra ID app registration (Microsoft Graph Bicep extension) and App Service
// Authentication (authsettingsV2) on the Function App. Sign-in is required everywhere but the excluded paths: the
// health probe, the rule docs and the API routes, which keep their function keys (scripts). The people's routes (the
// dashboard and its findings read) are anonymous at the Functions host when APP_SERVICE_AUTHENTICATION is true, so
// this sign-in is their protection; the app also requires the principal App Service passes it (src/functions/caller.ts).
// test/infra/sign-in.test.ts derives the excluded paths from the function registry and checks them against this file.
//
// No client secret: the app's user-assigned identity is a federated credential of the registration, and App Service
// uses it when clientSecretSettingName is OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID (an app setting holding the identity's
// client id: function-app-settings.bicep). https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad
extension microsoftGraphV1

@description('Name of the Function App.')
param functionAppName string

@description('Host name of the Function App (<name>.azurewebsites.net): the sign-in callback lives there.')
param defaultHostName string

@description('Object (principal) id of the user-assigned identity the app runs as: the federated credential subject.')
param identityPrincipalId string

@description('Unique name of the app registration in the tenant (keeps redeployments idempotent).')
param registrationName string

@description('Display name of the app registration and enterprise application.')
param displayName string

@description('PLATFORM_TEAM_APP_ROLE: the app role that sees every owner and manages exemptions and contacts. Assign people or groups to it on the enterprise application.')
param platformTeamAppRole string

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: registrationName
  displayName: displayName
  signInAudience: 'AzureADMyOrg' // this tenant only
  web: {
    redirectUris: [
      'https://${defaultHostName}/.auth/login/aad/callback'
    ]
    implicitGrantSettings: {
      enableIdTokenIssuance: true // App Service signs people in with an ID token
    }
  }
  // Group object ids in the token, for PLATFORM_TEAM_GROUP_ID (past 200 groups Entra sends none: prefer the app role).
  groupMembershipClaims: 'SecurityGroup'
  optionalClaims: {
    idToken: [
      {
        name: 'email' // owners are matched by address
        essential: false
      }
    ]
  }
  appRoles: [
    {
      id: guid(registrationName, platformTeamAppRole)
      value: platformTeamAppRole
      displayName: 'Platform team'
      description: 'Sees every owner\'s findings; creates and removes exemptions and edits contacts.'
      allowedMemberTypes: [
        'User'
      ]
      isEnabled: true
    }
  ]
}

resource federatedCredential 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {
  name: '${application.uniqueName}/app-identity'
  audiences: [
    'api://AzureADTokenExchange'
  ]
  issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
  subject: identityPrincipalId
  description: 'The Function App signs people in with its managed identity instead of a client secret.'
}

// The enterprise application: only people (or groups) assigned to it may sign in.
resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: application.appId
  appRoleAssignmentRequired: true
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      // Browsers go to the sign-in; AJAX requests get a 401.
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      // Exact paths, or everything under /prefix/* (MicrosoftDocs/azure-docs#86514). Never /api/dashboard.
      excludedPaths: [
        '/api/health'
        '/api/status'
        '/api/status/subscriptions/*'
        '/api/findings'
        '/api/rules'
        '/api/rules/*'
        '/api/scans'
        '/api/exemptions'
        '/api/exemptions/*'
        '/api/contacts'
        '/api/contacts/*'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: application.appId
          clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            application.appId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
  dependsOn: [
    federatedCredential
    servicePrincipal
  ]
}

output clientId string = application.appId
