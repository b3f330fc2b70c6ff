DEMO = None
