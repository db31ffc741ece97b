// A document's name longer than the server accepts: said at once beside the field, with its
// length, instead of a maxlength that would cut a pasted name without a word. The server refuses
// it the same way (and keeps the chosen files).
(function () {
  "use strict";
  document.querySelectorAll("input[data-max-length]").forEach(function (input) {
    const limit = Number(input.dataset.maxLength);
    const message = document.createElement("p");
    message.className = "errorlist";
    message.id = input.id + "_length";
    message.setAttribute("aria-live", "polite");
    message.hidden = true;
    input.insertAdjacentElement("afterend", message);
    function check() {
      const length = input.value.trim().length;
      const tooLong = length > limit;
      message.hidden = !tooLong;
      message.textContent = tooLong
        ? input.dataset.tooLong.replace("%(limit_value)d", limit).replace("%(show_value)d", length)
        : "";
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== message.id;
      });
      if (tooLong) {
        described.push(message.id);
        input.setAttribute("aria-invalid", "true");
      } else if (!input.parentElement.querySelector(".errorlist:not([hidden]):not([id$='_length'])")) {
        input.removeAttribute("aria-invalid");
      }
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
      else input.removeAttribute("aria-describedby");
    }
    input.addEventListener("input", check);
    check();
  });
})();
