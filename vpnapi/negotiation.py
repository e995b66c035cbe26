from rest_framework.negotiation import DefaultContentNegotiation


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Always respond in JSON and read a body without Content-Type as JSON.

    The API has one representation, so an Accept header asking for another
    still gets JSON rather than a 406. Clients that send a JSON body without
    a Content-Type header are common (PHP's stream contexts, hand-written
    scripts), so the missing header is taken as application/json. A body sent
    with another declared type, such as a form, still gets 415.
    """

    def select_parser(self, request, parsers):
        if not request.content_type:
            return parsers[0] if parsers else None
        return super().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
