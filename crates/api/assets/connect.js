// deskgate's connect script. On a tenant's page it opens a connect link as a popup and
// reports the outcome; on the gateway's last page in that popup it tells the opener, by
// postMessage to the return URL's exact origin (never "*"), and closes.
//
//   <script src="https://GATEWAY/connect.js"></script>
//   Deskgate.connect(connectUrl, {
//     onConnected: function (m) { /* m.connection_id */ },
//     onError: function (m) { /* m.code: access_denied, expired, ... */ }
//   });
(function () {
  "use strict";
  var result = document.getElementById("deskgate-result");
  if (result) {
    var d = result.dataset;
    var message = d.type === "connected"
      ? { type: "connected", connection_id: d.connectionId }
      : { type: "error", code: d.code };
    if (window.opener && !window.opener.closed && d.origin) {
      window.opener.postMessage(message, d.origin);
      window.close();
    } else if (d.location) {
      window.location.replace(d.location);
    }
    return;
  }
  window.Deskgate = {
    connect: function (connectUrl, handlers) {
      handlers = handlers || {};
      var url = new URL(connectUrl, window.location.href);
      url.searchParams.set("display", "popup");
      var popup = window.open(url.toString(), "deskgate-connect", "popup,width=520,height=760");
      if (!popup) {
        // Popups blocked: go there in this window; the return URL brings the customer back.
        window.location.assign(connectUrl);
        return null;
      }
      function onMessage(event) {
        if (event.origin !== url.origin || event.source !== popup) {
          return;
        }
        window.removeEventListener("message", onMessage);
        var data = event.data || {};
        if (data.type === "connected") {
          if (handlers.onConnected) { handlers.onConnected(data); }
        } else if (handlers.onError) {
          handlers.onError(data);
        }
      }
      window.addEventListener("message", onMessage);
      return popup;
    }
  };
})();
