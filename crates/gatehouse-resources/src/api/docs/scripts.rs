//! The pages' two inline scripts, the CSP sources that allow them, and the page data they read.

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Starts Swagger UI from the page's configuration (a JSON data block, never script text), so
/// that this script is the same on every page and its hash can be the only inline script the
/// CSP allows. `redirectPath` is set on a tenant's page: Swagger UI then uses PKCE with the
/// authorization code grant, and the popup ends on the tenant's redirect page.
pub(super) const START_SCRIPT: &str = r##""use strict";
(function () {
  var config = JSON.parse(document.getElementById("gatehouse-docs").textContent);
  var options = {
    dom_id: "#ui",
    spec: config.document,
    deepLinking: true,
    validatorUrl: null
  };
  if (config.redirectPath) {
    options.oauth2RedirectUrl = new URL(config.redirectPath, window.location.href).href;
  }
  var ui = SwaggerUIBundle(options);
  if (config.redirectPath) {
    ui.initOAuth({
      clientId: config.clientId || "",
      usePkceWithAuthorizationCodeGrant: true
    });
  }
  window.ui = ui;
})();
"##;

/// The redirect page's script. Swagger UI opens the authorization request in a popup and
/// leaves, on its own window, `swaggerUIRedirectOauth2`: the pending authorization (`auth`),
/// the `state` it sent, the `redirectUrl`, `callback` (which exchanges `auth.code` at the token
/// endpoint) and `errCb` (which shows an error in the Authorize dialog). This page hands the
/// code, or the error, to the window that opened it, and closes. An answer whose `state` is
/// not the one sent is refused (Swagger UI's own page only warns).
pub(super) const REDIRECT_SCRIPT: &str = r#""use strict";
(function () {
  var oauth2 = null;
  try {
    oauth2 = window.opener && window.opener.swaggerUIRedirectOauth2;
  } catch (e) {
    oauth2 = null;
  }
  if (!oauth2) {
    document.getElementById("status").textContent =
      "This page completes a sign-in started from the API documentation, and there is none " +
      "waiting. You can close it.";
    return;
  }
  delete window.opener.swaggerUIRedirectOauth2;
  var params = new URLSearchParams(window.location.search);
  var refuse = function (message) {
    oauth2.errCb({ authId: oauth2.auth.name, source: "auth", level: "error", message: message });
  };
  if (!oauth2.state || params.get("state") !== oauth2.state) {
    refuse("[Authorization refused]: the answer does not carry the state this page sent. Try again.");
  } else if (params.get("code")) {
    oauth2.auth.code = params.get("code");
    oauth2.callback({ auth: oauth2.auth, redirectUrl: oauth2.redirectUrl });
  } else {
    refuse("[" + (params.get("error") || "no_code") + "]: " +
      (params.get("error_description") || "the authorization server sent no code."));
  }
  window.close();
})();
"#;

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` (which JSON has only
/// inside strings) escaped, so no text can end the block or start markup.
pub(super) fn script_data(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The CSP source that allows one inline script.
pub(super) fn script_hash(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn script_data_cannot_end_its_block() {
        let data = script_data(&json!({"clientId": "</script><b>&"}));
        assert!(!data.contains('<') && !data.contains('>') && !data.contains('&'));
        let back: Value = serde_json::from_str(&data).expect("json");
        assert_eq!(back["clientId"], "</script><b>&");
    }
}
