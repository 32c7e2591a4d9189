enum ConnectorArchivePlaceholder {}
