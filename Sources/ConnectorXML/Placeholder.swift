enum ConnectorXMLPlaceholder {}
