// The serial console page: xterm.js bridged to ec2d's websocket, which
// relays Compute.StreamConsole. Bytes travel as binary frames both ways.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("terminal");
    var status = document.getElementById("terminal-status");
    if (!el || !window.Terminal) { return; }
    var term = new window.Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000 });
    var fit = window.FitAddon ? new window.FitAddon.FitAddon() : null;
    if (fit) { term.loadAddon(fit); }
    term.open(el);
    if (fit) { fit.fit(); window.addEventListener("resize", function () { fit.fit(); }); }
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + el.dataset.socket);
    ws.binaryType = "arraybuffer";
    var enc = new TextEncoder();
    ws.onopen = function () { status.textContent = "connected"; term.focus(); };
    ws.onmessage = function (ev) {
      term.write(typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data));
    };
    ws.onclose = function (ev) {
      status.textContent = "disconnected" + (ev.reason ? ": " + ev.reason : "");
      el.dataset.closed = "true";
    };
    term.onData(function (d) { if (ws.readyState === WebSocket.OPEN) { ws.send(enc.encode(d)); } });
    window.ec2labTerminal = term; // for tests and the curious
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
