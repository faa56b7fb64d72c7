window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.filter(function (img) {
    return img.complete && img.naturalWidth > 0 && img.naturalHeight > 0;
  }).length;
  images.forEach(function (img) {
    if (!(img.naturalWidth > 0)) { console.error("image did not render: " + img.alt); }
  });
  var check = document.createElement("div");
  check.id = "render-check";
  check.setAttribute("data-images-ok", String(ok));
  check.setAttribute("data-images-total", String(images.length));
  check.hidden = true;
  document.body.appendChild(check);
});
