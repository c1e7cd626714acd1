"""Single sign-on: Habpps as the OpenID Connect provider of the portal's services (django-oauth-toolkit).

The portal's services (entries of the service catalogue) are registered as OIDC clients; a person logs in with
Habpps's own login — password policy, freeze, second factor, forced change, one live session — and the service
receives an ID token whose ``habilitations`` claim holds that service's profiles, computed by the engine. When the
person's Habpps session ends (logout, idle timeout, suspension, a password reset) or he loses his last profile of
the service, the service is told by OpenID Back-Channel Logout 1.0.
"""
