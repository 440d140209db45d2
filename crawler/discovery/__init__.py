"""Discovery: what to fetch and how a response is judged before extraction sees it (URL
forms, safety and fault middlewares, the HTTP cache policy, the SharePoint API, the URLs the
store already knows, dead links). Reads the registry; never imports extraction or the store."""
