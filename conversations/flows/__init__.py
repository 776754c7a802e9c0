"""Conversation flows: each module handles one thing a client can do in the chat."""
