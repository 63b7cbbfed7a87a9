package io.reflow.capture;

/** Resolves a project token to its team, or refuses the request with 401. */
final class Authenticator {
    private final TeamRegistry registry;

    Authenticator(TeamRegistry registry) {
        this.registry = registry;
    }

    Team authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw CaptureException.unauthorized("missing_token",
                    "no project token: send api_key or token in the body, properties.token on events, or ?token=");
        }
        return registry.byToken(token.strip()).orElseThrow(() -> CaptureException.unauthorized("invalid_token",
                "project token is not valid; check the api_key/token your SDK is initialised with"));
    }
}
