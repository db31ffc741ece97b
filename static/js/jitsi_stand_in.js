// A local stand-in for Jitsi Meet's external_api.js (development and tests reach no video
// server), as the fake Twilio stands in for Twilio. Same surface: new
// JitsiMeetExternalAPI(domain, {roomName, parentNode, width, height, userInfo}),
// addListener/on/addEventListener, removeListener/off, executeCommand("hangup"), getIFrame(),
// dispose(). Hanging up (its "Raccrocher" button or the hangup command) raises the same events
// as Jitsi: videoConferenceLeft, then readyToClose.
(function () {
  "use strict";
  function JitsiMeetExternalAPI(domain, options) {
    options = options || {};
    this._listeners = {};
    this._roomName = options.roomName || "";
    this._node = document.createElement("div");
    this._node.className = "stand-in-room";
    this._node.setAttribute("data-stand-in-room", this._roomName);
    const title = document.createElement("p");
    title.textContent = "Salle vidéo (imitation locale) : " + this._roomName + " @ " + domain;
    const hangUp = document.createElement("button");
    hangUp.type = "button";
    hangUp.className = "button button--secondary";
    hangUp.textContent = "Raccrocher";
    const self = this;
    hangUp.addEventListener("click", function () { self.executeCommand("hangup"); });
    this._node.appendChild(title);
    this._node.appendChild(hangUp);
    (options.parentNode || document.body).appendChild(this._node);
    setTimeout(function () {
      self._emit("videoConferenceJoined", { roomName: self._roomName });
    }, 0);
  }
  JitsiMeetExternalAPI.prototype.addListener = function (event, listener) {
    (this._listeners[event] = this._listeners[event] || []).push(listener);
    return this;
  };
  JitsiMeetExternalAPI.prototype.on = JitsiMeetExternalAPI.prototype.addListener;
  JitsiMeetExternalAPI.prototype.addEventListener = JitsiMeetExternalAPI.prototype.addListener;
  JitsiMeetExternalAPI.prototype.removeListener = function (event, listener) {
    this._listeners[event] = (this._listeners[event] || []).filter(function (l) { return l !== listener; });
    return this;
  };
  JitsiMeetExternalAPI.prototype.off = JitsiMeetExternalAPI.prototype.removeListener;
  JitsiMeetExternalAPI.prototype._emit = function (event, data) {
    (this._listeners[event] || []).slice().forEach(function (listener) { listener(data); });
  };
  JitsiMeetExternalAPI.prototype.executeCommand = function (command) {
    if (command === "hangup" && !this._left) {
      this._left = true;
      this._emit("videoConferenceLeft", { roomName: this._roomName });
      this._emit("readyToClose", {});
    }
  };
  JitsiMeetExternalAPI.prototype.getIFrame = function () { return this._node; };
  JitsiMeetExternalAPI.prototype.dispose = function () {
    if (this._node.parentNode) this._node.parentNode.removeChild(this._node);
    this._listeners = {};
  };
  window.JitsiMeetExternalAPI = JitsiMeetExternalAPI;
})();
