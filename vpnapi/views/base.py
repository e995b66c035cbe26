from rest_framework.views import APIView


class ApiView(APIView):
    """Base class of every API view: marks the request so errors render as JSON."""

    def initialize_request(self, request, *args, **kwargs):
        request.is_api_request = True
        return super().initialize_request(request, *args, **kwargs)


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
