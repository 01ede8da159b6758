"""The weekly newsletter: edition selection, rendering and sending."""
