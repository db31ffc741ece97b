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
    // A refusal the server already printed beside the field is not printed a second time: the
    // live message takes over once the name is edited.
    let serverError = input.parentElement.querySelector("ul.errorlist");
    function check() {
      if (serverError) return;
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
    input.addEventListener("input", function () {
      if (serverError) { serverError.hidden = true; serverError = null; }
      check();
    });
    check();
    // Not sent while too long (before the page's other scripts send it): the field says why.
    if (input.form && !input.form.dataset.namesChecked) {
      input.form.dataset.namesChecked = "1";
      input.form.addEventListener("submit", function (event) {
        const tooLong = Array.from(input.form.querySelectorAll("input[data-max-length]")).find(function (field) {
          return field.value.trim().length > Number(field.dataset.maxLength);
        });
        if (!tooLong) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        tooLong.focus();
      }, true);
    }
  });
})();
