"""Mutation testing of the model: realistic bugs planted in a copy; does the suite notice?"""
