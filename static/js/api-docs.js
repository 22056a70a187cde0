// The JSON API's documentation: Swagger UI (static/vendor/swagger-ui), started here rather
// than in an inline script, which the app's content security policy refuses.

const root = document.getElementById('swagger-ui');
window.SwaggerUIBundle({
  url: root.dataset.spec,
  domNode: root,
  deepLinking: true,
  tryItOutEnabled: false,
});
