"""The HTTP API: routes, problem responses, authentication, OpenAPI."""
