// A real OpenID Connect provider (oidc-provider) shaped like Pro Santé Connect, for the tests.
// Started by tests/oidc/conftest.py on 127.0.0.1 and a free port; prints "listening" when ready.
//   PORT, REDIRECT_URI, CLIENT_ID, CLIENT_SECRET, JWKS (private, JSON), CODE_TTL (seconds),
//   SIGNED_USERINFO=1 (userinfo answered as a signed JWT, as PSC may),
//   POST_LOGOUT_REDIRECT_URI (registered for RP-initiated logout), LOGOUT=0 (no logout endpoint)
// The login and consent pages are skipped: the account logged in is the RPPS number set by
// GET /__account?rpps=... (the test's way of choosing who the professional is); GET /__prompts
// counts the login prompts so far (a login that reused the provider's session made none).
import { createServer } from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
let nextAccount = "10001001006";
const signedUserinfo = process.env.SIGNED_USERINFO === "1";
const logout = process.env.LOGOUT !== "0";
let loginPrompts = 0;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      post_logout_redirect_uris: process.env.POST_LOGOUT_REDIRECT_URI
        ? [process.env.POST_LOGOUT_REDIRECT_URI]
        : [],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "RS256",
      ...(signedUserinfo ? { userinfo_signed_response_alg: "RS256" } : {}),
    },
  ],
  jwks: JSON.parse(process.env.JWKS),
  pkce: { required: () => true },
  acrValues: ["eidas1"],
  scopes: ["openid", "scope_all"],
  claims: {
    openid: ["sub"],
    scope_all: [
      "SubjectNameID",
      "preferred_username",
      "given_name",
      "family_name",
      "SubjectRefPro",
      "SubjectRole",
      "SubjectOrganization",
    ],
  },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: signedUserinfo },
    rpInitiatedLogout: { enabled: logout },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AuthorizationCode: Number(process.env.CODE_TTL || 60) },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: `f:550e8400-e29b-41d4-a716-446655440000:${id}`,
          SubjectNameID: id,
          preferred_username: id,
          given_name: "CLAIRE",
          family_name: "MARTIN",
          SubjectRefPro: { codeCivilite: "DR", exercices: [{ codeProfession: "10" }] },
          SubjectRole: ["10^1.2.250.1.213.1.1.5.5"],
          SubjectOrganization: "Maison de santé de Chabeuil",
        };
      },
    };
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === "/__account") {
    nextAccount = String(ctx.query.rpps);
    ctx.body = "ok";
    return;
  }
  if (ctx.path === "/__prompts") {
    ctx.body = { login: loginPrompts };
    return;
  }
  if (ctx.path === "/.well-known/wallet-openid-configuration") {
    ctx.path = "/.well-known/openid-configuration"; // PSC's discovery path, aliased
  }
  if (ctx.path.startsWith("/interaction/")) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (details.prompt.name === "login") {
      loginPrompts += 1;
      result = { login: { accountId: nextAccount, acr: "eidas1" } };
    } else {
      const grant = new provider.Grant({
        accountId: details.session.accountId,
        clientId: details.params.client_id,
      });
      grant.addOIDCScope("openid scope_all");
      result = { consent: { grantId: await grant.save() } };
    }
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result));
    return;
  }
  await next();
});

createServer(provider.callback()).listen(port, "127.0.0.1", () => {
  process.stdout.write("listening\n");
});
